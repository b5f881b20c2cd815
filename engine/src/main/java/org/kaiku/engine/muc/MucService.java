package org.kaiku.engine.muc;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.kaiku.engine.component.ComponentDirectory;
import org.kaiku.engine.module.Identity;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The Multi-User Chat service at its own domain (XEP-0045 section 6), on every node: stanzas to a
 * room or an occupant go to that room's {@link RoomEntity} through Cluster Sharding (on whichever
 * node hosts it); the service itself answers disco#info (identity conference/text, section 6.2)
 * and disco#items (the public rooms, from the {@link RoomDirectory}, section 6.3). Nothing is
 * written here; see the entities for what they write.
 */
public final class MucService implements Consumer<XmlElement> {
    private static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    private static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

    private final MucSettings settings;
    private final ClusterSharding sharding;
    private final RoomDirectory.Client directory;
    private final StanzaRouter replies;

    private MucService(MucSettings settings, ClusterSharding sharding, RoomDirectory.Client directory, StanzaRouter replies) {
        this.settings = settings;
        this.sharding = sharding;
        this.directory = directory;
        this.replies = replies;
    }

    /**
     * Starts rooms and the directory on this node and routes the service's domain to them;
     * {@code archive} (null: none) keeps persistent rooms' messages (XEP-0313).
     */
    public static void start(ActorSystem<?> system, MucSettings settings, ComponentDirectory routes, StanzaRouter router,
                             RoomArchive archive) {
        if (!settings.enabled()) {
            return;
        }
        RoomDirectory.Client directory = RoomDirectory.init(system, settings.domain());
        RoomEntity.init(system, settings, router, directory, archive);
        routes.serveLocally(settings.domain(), new MucService(settings, ClusterSharding.get(system), directory, router));
    }

    @Override
    public void accept(XmlElement stanza) {
        Jid to = Jid.tryParse(Stanzas.to(stanza)).orElse(null);
        if (to == null || Stanzas.from(stanza) == null) {
            return;
        }
        if (to.local() != null) {
            sharding.entityRefFor(RoomEntity.ENTITY_KEY, to.local() + "@" + to.domain()).tell(new RoomEntity.Inbound(stanza));
            return;
        }
        if (!stanza.name().equals("iq")) {
            if (!Stanzas.isError(stanza) && !stanza.name().equals("presence")) {
                replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
            }
            return;
        }
        String type = stanza.attr("type");
        if (!"get".equals(type) && !"set".equals(type)) {
            return;
        }
        XmlElement payload = stanza.elements().size() == 1 ? stanza.elements().get(0) : null;
        if (payload != null && "get".equals(type) && payload.is("query", DISCO_INFO) && payload.attr("node") == null) {
            XmlElement.Builder q = XmlElement.builder("query", DISCO_INFO)
                    .child(new Identity("conference", "text", "Chatrooms").toElement(DISCO_INFO));
            for (String f : new String[] {DISCO_INFO, DISCO_ITEMS, Muc.NAMESPACE, Muc.OCCUPANT_ID, "urn:xmpp:ping", "urn:xmpp:mam:2"}) {
                q.child(XmlElement.builder("feature", DISCO_INFO).attr("var", f).build());
            }
            replies.route(Stanzas.iqResult(stanza, q.build()));
            return;
        }
        if (payload != null && "get".equals(type) && payload.is("query", DISCO_ITEMS) && payload.attr("node") == null) {
            directory.list(Duration.ofSeconds(10)).whenComplete((rooms, err) -> {
                if (err != null) {
                    replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
                    return;
                }
                XmlElement.Builder q = XmlElement.builder("query", DISCO_ITEMS);
                rooms.rooms().forEach((jid, name) -> q.child(XmlElement.builder("item", DISCO_ITEMS).attr("jid", jid)
                        .attr("name", name.isEmpty() ? null : name).build()));
                replies.route(Stanzas.iqResult(stanza, q.build()));
            });
            return;
        }
        if (payload != null && "get".equals(type) && payload.is("ping", "urn:xmpp:ping")) {
            replies.route(Stanzas.iqResult(stanza, null));
            return;
        }
        replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
    }

    public MucSettings settings() {
        return settings;
    }
}
