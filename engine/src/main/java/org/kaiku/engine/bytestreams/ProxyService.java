package org.kaiku.engine.bytestreams;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.kaiku.engine.module.Identity;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The XEP-0065 (version 1.8.2) proxy's XMPP side, served locally on every node at
 * {@code proxy.DOMAIN} (like the upload service): each node hands out its own relay's address,
 * and the requester's later {@code <activate/>} reaches the same node, since both come over the
 * requester's one session.
 * <ul>
 *   <li>disco#info (section 4): identity proxy/bytestreams and the bytestreams feature;</li>
 *   <li>the streamhost query (section 4): {@code <streamhost host jid port/>}; only accounts of
 *       this server may use the proxy, anyone else gets forbidden;</li>
 *   <li>activation (section 6.3.7): result once the relay relays; not-authorized when no stream
 *       has the hash (the hashes do not match), item-not-found when the sender is the stream's
 *       target rather than its requester, not-allowed when only one party is connected (or it is
 *       active already), resource-constraint when the requester's streams are at
 *       {@code user-sessions}, bad-request without sid or a valid target JID.</li>
 * </ul>
 * Nothing is stored; the relay keeps the streams. Replies go to {@code replies} (the router).
 */
public final class ProxyService implements Consumer<XmlElement> {
    public static final String NAMESPACE = "http://jabber.org/protocol/bytestreams";
    private static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    private static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

    private final ProxySettings settings;
    private final String serverDomain;
    private final BytestreamsProxy proxy;
    private final Consumer<XmlElement> replies;

    public ProxyService(ProxySettings settings, String serverDomain, BytestreamsProxy proxy, Consumer<XmlElement> replies) {
        this.settings = settings;
        this.serverDomain = serverDomain;
        this.proxy = proxy;
        this.replies = replies;
    }

    @Override
    public void accept(XmlElement stanza) {
        String type = stanza.attr("type");
        if (!stanza.name().equals("iq") || (!"get".equals(type) && !"set".equals(type))) {
            return; // messages, presences, results and errors: nothing to answer
        }
        XmlElement payload = stanza.elements().size() == 1 ? stanza.elements().get(0) : null;
        if (payload == null) {
            replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
        } else if ("get".equals(type) && payload.is("query", DISCO_INFO) && payload.attr("node") == null) {
            replies.accept(Stanzas.iqResult(stanza, XmlElement.builder("query", DISCO_INFO)
                    .child(new Identity("proxy", "bytestreams", "SOCKS5 Bytestreams Service").toElement(DISCO_INFO))
                    .child(XmlElement.builder("feature", DISCO_INFO).attr("var", DISCO_INFO).build())
                    .child(XmlElement.builder("feature", DISCO_INFO).attr("var", NAMESPACE).build()).build()));
        } else if ("get".equals(type) && payload.is("query", DISCO_ITEMS) && payload.attr("node") == null) {
            replies.accept(Stanzas.iqResult(stanza, XmlElement.of("query", DISCO_ITEMS)));
        } else if (payload.is("query", NAMESPACE)) {
            Optional<Jid> from = Jid.tryParse(stanza.attr("from"));
            if (from.isEmpty() || from.get().local() == null || !from.get().domain().equals(serverDomain)) {
                replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.FORBIDDEN,
                        "only accounts of " + serverDomain + " use this proxy")));
            } else if ("get".equals(type)) {
                replies.accept(Stanzas.iqResult(stanza, XmlElement.builder("query", NAMESPACE)
                        .child(XmlElement.builder("streamhost", NAMESPACE).attr("host", proxy.host())
                                .attr("jid", settings.domain()).attr("port", String.valueOf(proxy.port())).build())
                        .build()));
            } else {
                activate(stanza, payload, stanza.attr("from"));
            }
        } else {
            replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
        }
    }

    private void activate(XmlElement iq, XmlElement query, String requester) {
        String sid = query.attr("sid");
        XmlElement activate = query.child("activate", NAMESPACE);
        String target = activate == null ? null : activate.text().trim();
        if (sid == null || sid.isEmpty() || target == null || Jid.tryParse(target).isEmpty()) {
            replies.accept(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.BAD_REQUEST,
                    "activation needs a sid and an <activate/> with the target's JID")));
            return;
        }
        CompletionStage<BytestreamsProxy.Outcome> outcome = proxy.activate(sid, requester, target);
        outcome.handle((o, err) -> {
            if (err != null) {
                return Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR));
            }
            return switch (o) {
                case ACTIVATED -> Stanzas.iqResult(iq, null);
                case UNKNOWN -> Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.NOT_AUTHORIZED,
                        "no bytestream with that hash"));
                case NOT_REQUESTER -> Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND,
                        "only the requester activates a bytestream"));
                case NOT_READY -> Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.NOT_ALLOWED,
                        "both parties must be connected, and the stream not yet active"));
                case LIMIT -> Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.RESOURCE_CONSTRAINT,
                        "too many active bytestreams"));
            };
        }).thenAccept(replies);
    }
}
