package org.kaiku.engine.features;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Drives one module's iq handlers the way the c2s session does (the iq stamped with 'from' and
 * 'to', the single payload handed over), without sockets: a registry of just that module over
 * the given stores.
 */
public final class IqFixture {
    public final ModuleRegistry registry;
    public final Stores stores;

    public IqFixture(Stores stores, XmppModule... modules) {
        this.stores = stores;
        this.registry = ModuleRegistry.of("localhost", "Kaiku", "test", stores, List.of(modules));
    }

    /** Sends {@code xml} (an iq in jabber:client, with from and to) in {@code scope}; returns the answer. */
    public XmlElement send(IqHandler.Scope scope, String xml) {
        XmlElement iq = XmlDocument.read(xml.replaceFirst("^<iq ", "<iq xmlns='" + Namespaces.CLIENT + "' "));
        XmlElement payload = iq.elements().get(0);
        IqHandler handler = registry.handler(scope, payload.namespace(), iq.attr("type"));
        if (handler == null) {
            throw new AssertionError("no " + scope + " handler for " + payload.namespace() + " " + iq.attr("type"));
        }
        Jid from = Jid.parse(iq.attr("from"));
        Jid to = Jid.parse(iq.attr("to"));
        try {
            return handler.handle(new IqHandler.Request(iq, payload, from, to, scope))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The defined condition of an error reply, or null for a result. */
    public static StanzaError.Condition condition(XmlElement reply) {
        XmlElement error = reply.child("error", Namespaces.CLIENT);
        return error == null ? null : StanzaError.fromElement(error).condition();
    }
}
