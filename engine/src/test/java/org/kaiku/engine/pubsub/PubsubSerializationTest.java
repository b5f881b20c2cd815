package org.kaiku.engine.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A pubsub node's and partition's events, states and commands go through Jackson CBOR and come
 * back equal (what the journal and other nodes see); the node configuration form, publish-options
 * preconditions, item retention and the partitioning of subscribers behave as XEP-0060 says.
 */
public class PubsubSerializationTest {
    private static ActorTestKit testKit;
    private static final PubsubSettings SETTINGS = new PubsubSettings(true, "pubsub.localhost", 16, 10, 1000, 65536);

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("PubsubSerializationTest", com.typesafe.config.ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Object roundTrip(Object o) {
        Serialization s = SerializationExtension.get(testKit.system());
        assertThat(s.findSerializerFor(o)).as("serializer of %s", o.getClass()).isInstanceOf(JacksonCborSerializer.class);
        byte[] bytes = s.serialize(o).get();
        return s.deserialize(bytes, s.findSerializerFor(o).identifier(), Serializers.manifestFor(s.findSerializerFor(o), o)).get();
    }

    @Test
    void eventsStateAndCommandsRoundTrip() {
        for (Object o : samples(testKit)) {
            assertThat(roundTrip(o)).as("%s", o.getClass().getSimpleName()).isEqualTo(o);
        }
    }

    /** One sample of every pubsub type that goes through CBOR (UserSerializationTest checks none is missing). */
    public static List<Object> samples(ActorTestKit testKit) {
        NodeConfig config = new NodeConfig("Weather", "authorize", "open", 5, true, false, true, false, "never", "normal");
        XmlElement payload = XmlElement.builder("entry", "http://www.w3.org/2005/Atom").textChild("title", "<&> sunny").build();
        XmlElement iq = XmlElement.builder("iq", "jabber:client").attr("from", "a@localhost/r").attr("to", "pubsub.localhost")
                .attr("type", "set").attr("id", "p1").child(XmlElement.builder("pubsub", PubSub.NAMESPACE)
                        .child(XmlElement.builder("subscribe", PubSub.NAMESPACE).attr("node", "n").attr("jid", "a@localhost").build())
                        .build()).build();
        var done = testKit.createTestProbe(Done.class).getRef();
        return List.of(
                config,
                new NodeEvent.Created(3, "alice@localhost", config, 16),
                new NodeEvent.Configured(config),
                new NodeEvent.AffiliationChanged("bob@localhost", "publisher"),
                new NodeEvent.Published("i1", "alice@localhost", payload),
                new NodeEvent.Retracted("i1"),
                new NodeEvent.Purged(),
                new NodeEvent.Deleted(),
                new NodeState(true, 3, config, Map.of("alice@localhost", "owner"), List.of(new NodeState.Item("i1", "alice@localhost", payload),
                        new NodeState.Item("i2", "alice@localhost", null)), 16),
                new NodeState.Item("i1", "alice@localhost", payload),
                new NodeEntity.Inbound(iq),
                new NodeEntity.AddSubscriber("bob@localhost/phone", done),
                new PartitionEntity.Subscribe(3, "n", "a@localhost", "pending", iq, iq, List.of("alice@localhost"), done),
                new PartitionEntity.Unsubscribe(3, "n", "a@localhost", iq),
                new PartitionEntity.SetSubscription(3, "n", "a@localhost", "subscribed", true, done),
                new PartitionEntity.DropBare(3, "a@localhost"),
                new PartitionEntity.Notify(3, iq),
                new PartitionEntity.NodeDeleted(3, iq),
                new PartitionEntity.Query(3, "a@localhost", testKit.createTestProbe(PartitionEntity.Subscriptions.class).getRef()),
                new PartitionEntity.Subscriptions(Map.of("a@localhost", "subscribed")),
                new PartitionEntity.Reset(4),
                new PartitionEntity.Changed("a@localhost/r", "none"),
                new PartitionEntity.State(3, Map.of("a@localhost", "pending")),
                new NodeDirectory.Listed("n", "Weather"),
                new NodeDirectory.Unlisted("n"),
                new NodeDirectory.ListNodes(testKit.createTestProbe(NodeDirectory.Nodes.class).getRef()),
                new NodeDirectory.Nodes(Map.of("n", "Weather")),
                new NodeDirectory.NodeListed("n", "Weather"),
                new NodeDirectory.NodeUnlisted("n"),
                new NodeDirectory.State(Map.of("n", "Weather")));
    }

    @Test
    void configurationFormAppliesAndRefusesAsSection8Says() {
        NodeConfig defaults = NodeConfig.defaults(SETTINGS);
        DataForm form = defaults.form(1000);
        assertThat(form.formType()).isEqualTo(PubSub.NODE_CONFIG);
        assertThat(form.field("pubsub#access_model").orElseThrow().value()).isEqualTo("open");
        NodeConfig changed = defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("FORM_TYPE", "hidden", PubSub.NODE_CONFIG),
                DataForm.Field.of("pubsub#access_model", null, "whitelist"),
                DataForm.Field.of("pubsub#max_items", null, "max"),
                DataForm.Field.of("pubsub#notify_retract", null, "false"),
                DataForm.Field.of("pubsub#some_future_option", null, "x"))), 1000);
        assertThat(changed.accessModel()).isEqualTo("whitelist");
        assertThat(changed.maxItems()).isEqualTo(1000);
        assertThat(changed.notifyRetract()).isFalse();
        NodeConfig titled = defaults.apply(DataForm.fromElement(new DataForm("submit", List.of(
                DataForm.Field.of("pubsub#title", "text-single", "Roof sensors"))).toElement()).orElseThrow(), 1000);
        assertThat(DataForm.fromElement(titled.form(1000).toElement()).orElseThrow().field("pubsub#title").orElseThrow().value())
                .isEqualTo("Roof sensors");
        assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(DataForm.Field.of("pubsub#access_model", null, "presence"))),
                1000)).isInstanceOf(NodeConfig.UnsupportedAccessModel.class);
        assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(DataForm.Field.of("pubsub#max_items", null, "1001"))),
                1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(DataForm.Field.of("pubsub#persist_items", null, "maybe"))),
                1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.apply(new DataForm("submit", List.of(
                DataForm.Field.of("FORM_TYPE", "hidden", "urn:other"))), 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishOptionsAreMetOnlyByTheNodesOwnValues() {
        NodeConfig c = NodeConfig.defaults(SETTINGS);
        assertThat(c.meets(options("pubsub#access_model", "open", "pubsub#persist_items", "true"), 1000)).isTrue();
        assertThat(c.meets(options("pubsub#persist_items", "1"), 1000)).isTrue();
        assertThat(c.meets(options("pubsub#access_model", "whitelist"), 1000)).isFalse();
        assertThat(c.meets(options("pubsub#persist_items", "0"), 1000)).isFalse();
        assertThat(c.meets(options("pubsub#no_such_option", "1"), 1000)).isFalse();
    }

    private static DataForm options(String... pairs) {
        List<DataForm.Field> f = new java.util.ArrayList<>();
        f.add(DataForm.Field.of("FORM_TYPE", "hidden", PubSub.PUBLISH_OPTIONS));
        for (int i = 0; i < pairs.length; i += 2) {
            f.add(DataForm.Field.of(pairs[i], null, pairs[i + 1]));
        }
        return new DataForm("submit", f);
    }

    @Test
    void itemsAreReplacedByIdAndTrimmedToMaxItems() {
        NodeConfig c = new NodeConfig("", "open", "publishers", 2, true, true, true, true, "on_sub", "headline");
        NodeState s = NodeState.empty().apply(new NodeEvent.Created(1, "alice@localhost", c, 4));
        s = s.apply(new NodeEvent.Published("a", "alice@localhost", null))
                .apply(new NodeEvent.Published("b", "alice@localhost", null))
                .apply(new NodeEvent.Published("a", "alice@localhost", null))
                .apply(new NodeEvent.Published("c", "alice@localhost", null));
        assertThat(s.items()).extracting(NodeState.Item::id).containsExactly("a", "c");
        s = s.apply(new NodeEvent.Retracted("a"));
        assertThat(s.items()).extracting(NodeState.Item::id).containsExactly("c");
        NodeState deleted = s.apply(new NodeEvent.Deleted());
        assertThat(deleted.exists()).isFalse();
        assertThat(deleted.generation()).isEqualTo(1);
    }

    @Test
    void resourcesOfOneUserShareAPartitionAndUsersSpreadOverAll() {
        assertThat(PartitionEntity.partitionOf("u1@localhost/a", 16)).isEqualTo(PartitionEntity.partitionOf("u1@localhost", 16));
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            used.add(PartitionEntity.partitionOf("user" + i + "@localhost", 16));
        }
        assertThat(used).hasSize(16);
    }
}
