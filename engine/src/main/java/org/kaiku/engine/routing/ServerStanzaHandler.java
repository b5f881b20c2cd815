package org.kaiku.engine.routing;

import java.util.function.Consumer;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Stanzas addressed to the server's own domain that did not come straight from a local client
 * session (RFC 6120 section 10.3): iq get/set go to the registered module, unknown payloads get
 * service-unavailable; iq results/errors answer the server's own questions (see {@link
 * #answersTo}) or are dropped, as are messages and presence to the bare domain, since the server
 * has no session of its own to deliver them to.
 */
public final class ServerStanzaHandler implements Consumer<XmlElement> {
    private final ModuleRegistry modules;
    private final Consumer<XmlElement> replies;
    private volatile java.util.function.Predicate<XmlElement> responses = iq -> false;

    /** @param replies where answers go (the router) */
    public ServerStanzaHandler(ModuleRegistry modules, Consumer<XmlElement> replies) {
        this.modules = modules;
        this.replies = replies;
    }

    /**
     * Where iq results and errors addressed to the server go from now on (the server's own
     * questions, such as XEP-0115 caps queries); unclaimed ones are dropped.
     */
    public void answersTo(java.util.function.Predicate<XmlElement> listener) {
        this.responses = java.util.Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void accept(XmlElement stanza) {
        if (!stanza.name().equals("iq")) {
            return;
        }
        String type = stanza.attr("type");
        if (!"get".equals(type) && !"set".equals(type)) {
            responses.test(stanza); // an answer to a question the server asked, or dropped
            return;
        }
        if (stanza.elements().size() != 1) {
            replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
            return;
        }
        XmlElement payload = stanza.elements().get(0);
        IqHandler h = modules.handler(IqHandler.Scope.SERVER, payload.namespace(), type);
        Jid from = Jid.tryParse(stanza.attr("from")).orElse(null);
        Jid to = Jid.tryParse(stanza.attr("to")).orElse(null);
        if (h == null || from == null || to == null) {
            replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
            return;
        }
        h.handle(new IqHandler.Request(stanza, payload, from, to, IqHandler.Scope.SERVER)).whenComplete((answer, err) ->
                replies.accept(err != null || answer == null
                        ? Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR))
                        : answer));
    }
}
