package org.kaiku.engine.features.mam;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.InMemoryAccountDataStore;
import org.kaiku.engine.storage.InMemoryArchiveStore;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.ext.mam.Mam;
import org.kaiku.protocol.ext.mam.MamFin;
import org.kaiku.protocol.ext.mam.MamResult;
import org.kaiku.protocol.ext.sid.StanzaId;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0313 on the in-memory archive: what is archived and stamped, queries with every filter,
 * RSM paging both ways and flipped, the errors the XEP names, the form, metadata and XEP-0441
 * preferences.
 */
class MamModuleTest {
    private static final Jid ALICE = Jid.parse("alice@localhost");
    private static final Instant T0 = Instant.parse("2026-01-31T23:59:58Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private MamModule module;
    private ModuleRegistry registry;
    private MessageArchiver archiver;
    private final List<String> ids = new ArrayList<>();

    /** What a query answered: the pushed results and the final iq. */
    record Answer(List<MamResult> results, XmlElement iq) {
        Condition condition() {
            return IqFixture.condition(iq);
        }

        MamFin fin() throws Exception {
            return MamFin.fromElement(iq.child("fin", Mam.NAMESPACE)).orElseThrow();
        }

        List<String> bodies() {
            return results.stream().map(r -> r.forwarded().stanza().childText("body", Namespaces.CLIENT)).toList();
        }
    }

    @BeforeEach
    void setUp() {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        module = new MamModule(clock);
        registry = ModuleRegistry.of("localhost", "Kaiku", "test", Stores.inMemory(),
                ConfigFactory.parseString("kaiku.mam.max-page-size = 5\nkaiku.mam.default-page-size = 5").withFallback(ConfigFactory.load()), List.of(module));
        archiver = module.archiver();
    }

    private static XmlElement chat(String from, String to, String body) {
        return XmlElement.builder("message", Namespaces.CLIENT).attr("from", from).attr("to", to).attr("type", "chat")
                .textChild("body", body).build();
    }

    /** Ten messages, one per second across a month boundary: 0-4 with bob, 5-9 with carol; even ones incoming. */
    private void conversation() {
        for (int i = 0; i < 10; i++) {
            now.set(T0.plusSeconds(i));
            String other = i < 5 ? "bob@localhost/phone" : "carol@example.org/pc";
            if (i % 2 == 0) {
                XmlElement delivered = archiver.incoming(ALICE, chat(other, "alice@localhost/desk", "m" + i), j -> true);
                ids.add(StanzaId.all(delivered).get(0).id());
            } else {
                archiver.outgoing(ALICE, chat("alice@localhost/desk", other, "m" + i), j -> true);
                ids.add(null);
            }
        }
    }

    private Answer query(String queryChildren) {
        return send("set", "<query xmlns='urn:xmpp:mam:2' queryid='q1'>" + queryChildren + "</query>", "alice@localhost/desk");
    }

    private Answer send(String type, String payload, String from) {
        XmlElement iq = XmlDocument.read("<iq xmlns='jabber:client' type='" + type + "' id='i1' from='" + from
                + "' to='alice@localhost'>" + payload + "</iq>");
        XmlElement p = iq.elements().get(0);
        List<MamResult> pushed = new ArrayList<>();
        IqHandler h = registry.handler(IqHandler.Scope.ACCOUNT, p.namespace(), type);
        try {
            XmlElement answer = h.handle(new IqHandler.Request(iq, p, Jid.parse(from), ALICE, IqHandler.Scope.ACCOUNT, m -> {
                assertThat(m.attr("to")).isEqualTo(from);
                assertThat(m.attr("from")).isEqualTo("alice@localhost");
                pushed.add(MamResult.fromElement(m.child("result", Mam.NAMESPACE)).orElseThrow());
            })).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new Answer(pushed, answer);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String form(String fields) {
        return "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>"
                + fields + "</x>";
    }

    private static String field(String var, String value) {
        return "<field var='" + var + "'><value>" + value + "</value></field>";
    }

    private static String rsm(String inner) {
        return "<set xmlns='http://jabber.org/protocol/rsm'>" + inner + "</set>";
    }

    @Test
    void archivesChatAndNormalWithBodyAndStampsIncomingWithAStanzaId() {
        XmlElement spoofed = chat("mallory@evil.example/x", "alice@localhost", "hi")
                .withChild(new StanzaId("forged", "alice@localhost").toElement())
                .withChild(new StanzaId("kept", "room@muc.example").toElement());
        XmlElement delivered = archiver.incoming(ALICE, spoofed, j -> false);
        List<StanzaId> sids = StanzaId.all(delivered);
        assertThat(sids).hasSize(2).contains(new StanzaId("kept", "room@muc.example"));
        StanzaId ours = sids.stream().filter(s -> s.by().equals("alice@localhost")).findFirst().orElseThrow();
        assertThat(ours.id()).isNotEqualTo("forged");

        XmlElement groupchat = chat("room@muc.example/x", "alice@localhost/desk", "g").withAttr("type", "groupchat")
                .withChild(new StanzaId("forged", "alice@localhost").toElement());
        XmlElement passed = archiver.incoming(ALICE, groupchat, j -> true);
        assertThat(StanzaId.all(passed)).as("spoofed id stripped even when not archived").isEmpty();
        archiver.incoming(ALICE, chat("bob@localhost", "alice@localhost", "e").withAttr("type", "error"), j -> true);
        archiver.incoming(ALICE, chat("bob@localhost", "alice@localhost", "h").withAttr("type", "headline"), j -> true);
        archiver.incoming(ALICE, XmlElement.builder("message", Namespaces.CLIENT).attr("from", "bob@localhost")
                .child(XmlElement.of("composing", "http://jabber.org/protocol/chatstates")).build(), j -> true);
        archiver.outgoing(ALICE, chat("alice@localhost/desk", "alice@localhost", "note to self"), j -> true);
        archiver.incoming(ALICE, chat("alice@localhost/desk", "alice@localhost", "note to self"), j -> true);

        Answer all = query("");
        assertThat(all.bodies()).containsExactly("hi", "note to self");
        assertThat(all.results().get(0).id()).isEqualTo(ours.id());
        assertThat(all.results().get(0).queryId()).isEqualTo("q1");
        assertThat(StanzaId.all(all.results().get(0).forwarded().stanza())).as("stored without our stanza-id")
                .containsExactly(new StanzaId("kept", "room@muc.example"));
        assertThat(all.results().get(0).forwarded().delay().stamp()).isEqualTo(T0);
    }

    @Test
    void pagesForwardAndBackwardWithFirstLastAndComplete() throws Exception {
        conversation();
        Answer first = query(rsm("<max>4</max>"));
        assertThat(first.bodies()).containsExactly("m0", "m1", "m2", "m3");
        assertThat(first.fin().complete()).isFalse();
        assertThat(first.fin().set().first()).isEqualTo(first.results().get(0).id());
        assertThat(first.fin().set().last()).isEqualTo(first.results().get(3).id());

        Answer second = query(rsm("<max>4</max><after>" + first.fin().set().last() + "</after>"));
        assertThat(second.bodies()).containsExactly("m4", "m5", "m6", "m7");
        Answer third = query(rsm("<max>4</max><after>" + second.fin().set().last() + "</after>"));
        assertThat(third.bodies()).containsExactly("m8", "m9");
        assertThat(third.fin().complete()).isTrue();

        Answer last = query(rsm("<max>3</max><before/>"));
        assertThat(last.bodies()).containsExactly("m7", "m8", "m9");
        assertThat(last.fin().complete()).isFalse();
        Answer earlier = query(rsm("<max>3</max><before>" + last.fin().set().first() + "</before>"));
        assertThat(earlier.bodies()).containsExactly("m4", "m5", "m6");
        Answer earliest = query(rsm("<max>5</max><before>" + ids.get(2) + "</before>"));
        assertThat(earliest.bodies()).containsExactly("m0", "m1");
        assertThat(earliest.fin().complete()).isTrue();

        Answer flipped = query(rsm("<max>3</max><before/>") + "<flip-page xmlns='urn:xmpp:mam:2'/>");
        assertThat(flipped.bodies()).containsExactly("m9", "m8", "m7");
        assertThat(flipped.fin().set().first()).as("first/last stay chronological").isEqualTo(last.fin().set().first());

        Answer empty = query(form(field("start", "2030-01-01T00:00:00Z")));
        assertThat(empty.results()).isEmpty();
        assertThat(empty.fin().complete()).isTrue();
        assertThat(empty.fin().set().first()).isNull();
    }

    @Test
    void filtersByPartnerTimeAndIds() throws Exception {
        conversation();
        assertThat(query(form(field("with", "bob@localhost"))).bodies()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(query(form(field("with", "carol@example.org/pc"))).bodies()).containsExactly("m5", "m6", "m7", "m8", "m9");
        assertThat(query(form(field("with", "carol@example.org/other"))).bodies()).isEmpty();
        assertThat(query(form(field("with", "alice@localhost"))).bodies()).as("with self: only notes to self").isEmpty();

        Answer window = query(form(field("start", Delay.format(T0.plusSeconds(2))) + field("end", Delay.format(T0.plusSeconds(4)))));
        assertThat(window.bodies()).containsExactly("m2", "m3", "m4");

        Answer between = query(form(field("after-id", ids.get(2)) + field("before-id", ids.get(8))));
        assertThat(between.bodies()).containsExactly("m3", "m4", "m5", "m6", "m7");

        Answer chosen = query(form("<field var='ids'><value>" + ids.get(6) + "</value><value>" + ids.get(0) + "</value></field>"));
        assertThat(chosen.bodies()).containsExactly("m0", "m6");
        assertThat(chosen.fin().complete()).isTrue();

        Answer clamped = query(rsm("<max>1000</max>"));
        assertThat(clamped.results()).as("max-page-size is 5 here").hasSize(5);
        assertThat(clamped.fin().complete()).isFalse();
    }

    @Test
    void badQueriesGetTheXepsErrors() {
        conversation();
        String unknown = "00000000-0000-0001-0000-000000000001";
        assertThat(query(rsm("<after>" + unknown + "</after>")).condition()).isEqualTo(Condition.ITEM_NOT_FOUND);
        assertThat(query(rsm("<before>nonsense</before>")).condition()).isEqualTo(Condition.ITEM_NOT_FOUND);
        assertThat(query(form(field("after-id", unknown))).condition()).isEqualTo(Condition.ITEM_NOT_FOUND);
        assertThat(query(form(field("ids", ids.get(0)) + "")).condition()).isNull();
        assertThat(query(form("<field var='ids'><value>" + ids.get(0) + "</value><value>" + unknown + "</value></field>"))
                .condition()).isEqualTo(Condition.ITEM_NOT_FOUND);
        assertThat(query(form(field("{urn:example}fulltext", "x"))).condition()).isEqualTo(Condition.FEATURE_NOT_IMPLEMENTED);
        assertThat(query(form(field("start", "last tuesday"))).condition()).isEqualTo(Condition.BAD_REQUEST);
        assertThat(query(rsm("<max>ten</max>")).condition()).isEqualTo(Condition.BAD_REQUEST);
        assertThat(query(rsm("<index>3</index>")).condition()).isEqualTo(Condition.FEATURE_NOT_IMPLEMENTED);

        Answer other = send("set", "<query xmlns='urn:xmpp:mam:2'/>", "bob@localhost/phone");
        assertThat(other.condition()).isEqualTo(Condition.FORBIDDEN);
        assertThat(other.results()).isEmpty();
    }

    @Test
    void formMetadataAndDiscoFeatures() {
        Answer form = send("get", "<query xmlns='urn:xmpp:mam:2'/>", "alice@localhost/desk");
        XmlElement x = form.iq().child("query", Mam.NAMESPACE).child("x", "jabber:x:data");
        assertThat(x.attr("type")).isEqualTo("form");
        assertThat(x.elements("field", "jabber:x:data")).extracting(f -> f.attr("var"))
                .contains("FORM_TYPE", "with", "start", "end", "before-id", "after-id", "ids");

        XmlElement emptyMeta = send("get", "<metadata xmlns='urn:xmpp:mam:2'/>", "alice@localhost/desk").iq()
                .child("metadata", Mam.NAMESPACE);
        assertThat(emptyMeta.elements()).isEmpty();
        conversation();
        XmlElement meta = send("get", "<metadata xmlns='urn:xmpp:mam:2'/>", "alice@localhost/desk").iq()
                .child("metadata", Mam.NAMESPACE);
        assertThat(meta.child("start", Mam.NAMESPACE).attr("id")).isEqualTo(ids.get(0));
        assertThat(meta.child("start", Mam.NAMESPACE).attr("timestamp")).isEqualTo(Delay.format(T0));
        String newest = query(rsm("<max>1</max><before/>")).results().get(0).id();
        assertThat(meta.child("end", Mam.NAMESPACE).attr("id")).isEqualTo(newest);
        assertThat(meta.child("end", Mam.NAMESPACE).attr("timestamp")).isEqualTo(Delay.format(T0.plusSeconds(9)));

        assertThat(registry.accountFeatures()).contains(Mam.NAMESPACE, Mam.EXTENDED, StanzaId.NAMESPACE);
    }

    @Test
    void preferencesDecideWhatIsArchived() {
        Answer defaults = send("get", "<prefs xmlns='urn:xmpp:mam:2'/>", "alice@localhost/desk");
        assertThat(defaults.iq().child("prefs", Mam.NAMESPACE).attr("default")).isEqualTo("always");

        Answer set = send("set", "<prefs xmlns='urn:xmpp:mam:2' default='roster'><always><jid>dave@localhost</jid></always>"
                + "<never><jid>bob@localhost</jid></never></prefs>", "alice@localhost/desk");
        assertThat(set.condition()).isNull();
        assertThat(set.iq().child("prefs", Mam.NAMESPACE).attr("default")).isEqualTo("roster");
        assertThat(send("set", "<prefs xmlns='urn:xmpp:mam:2' default='maybe'/>", "alice@localhost/desk").condition())
                .isEqualTo(Condition.BAD_REQUEST);

        XmlElement fromBob = archiver.incoming(ALICE, chat("bob@localhost/phone", "alice@localhost", "never"), j -> true);
        assertThat(StanzaId.all(fromBob)).as("not archived, so no stanza-id").isEmpty();
        archiver.incoming(ALICE, chat("dave@localhost/x", "alice@localhost", "always"), j -> false);
        archiver.incoming(ALICE, chat("erin@localhost/x", "alice@localhost", "in roster"), j -> j.equals(Jid.parse("erin@localhost")));
        archiver.outgoing(ALICE, chat("alice@localhost/desk", "frank@localhost", "not in roster"), j -> false);
        assertThat(query("").bodies()).containsExactly("always", "in roster");
        assertThat(send("get", "<prefs xmlns='urn:xmpp:mam:2'/>", "alice@localhost/desk").iq().child("prefs", Mam.NAMESPACE)
                .child("never", Mam.NAMESPACE).childText("jid", Mam.NAMESPACE)).isEqualTo("bob@localhost");
    }

    @Test
    void aFailedArchiveWriteNeitherHoldsUpNorChangesDelivery() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        InMemoryArchiveStore backing = new InMemoryArchiveStore();
        ArchiveStore slowThenFailing = new ArchiveStore() {
            @Override
            public CompletionStage<Void> append(String account, ArchivedMessage m) {
                return never;
            }

            @Override
            public CompletionStage<Optional<ArchivedMessage>> get(
                    String account, ArchiveId id) {
                return backing.get(account, id);
            }

            @Override
            public CompletionStage<Page> query(String account, Query q) {
                return backing.query(account, q);
            }

            @Override
            public CompletionStage<Void> purge(String account) {
                return backing.purge(account);
            }
        };
        MamModule failing = new MamModule();
        ModuleRegistry.of("localhost", "Kaiku", "test", new Stores(null, null,
                new InMemoryAccountDataStore(), slowThenFailing), List.of(failing));
        MessageArchiver a = failing.archiver();
        XmlElement delivered = a.incoming(ALICE, chat("bob@localhost/phone", "alice@localhost", "hello"), j -> true);
        assertThat(StanzaId.all(delivered)).as("delivered with its id while the write is still pending").hasSize(1);
        assertThat(a.failedWrites()).isZero();
        never.completeExceptionally(new IllegalStateException("store down"));
        assertThat(a.failedWrites()).isEqualTo(1);
    }

    @Test
    void idsIncreaseEvenWhenTheClockStandsStillOrStepsBack() {
        now.set(T0);
        var a = archiver.nextId();
        var b = archiver.nextId();
        now.set(T0.minusSeconds(5));
        var c = archiver.nextId();
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        assertThat(ArchiveId.parse(c.toString())).contains(c);
        assertThat(ArchiveId.parse("not-an-id")).isEmpty();
    }
}
