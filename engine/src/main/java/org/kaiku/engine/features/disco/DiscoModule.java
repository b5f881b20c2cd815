package org.kaiku.engine.features.disco;

import java.util.concurrent.CompletableFuture;
import org.kaiku.engine.module.AdHocCommand;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.Identity;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0030 Service Discovery. The server's disco#info is generated from the
 * {@link ModuleRegistry}: every identity and feature a module registered, nothing listed by
 * hand. disco#items lists the services modules registered as items (external components). On a user's own bare
 * JID the account answers with identity account/registered (RFC 6121 / XEP-0030 section 3.1) and
 * the account features modules registered (e.g. urn:xmpp:mam:2, XEP-0313 section 6).
 */
@Xep(number = 30, version = "2.5rc3", status = Xep.Status.PARTIAL, note = "nodes: the ad-hoc command list and commands; items are the services modules register (external components)")
public final class DiscoModule implements XmppModule {
    public static final String INFO = "http://jabber.org/protocol/disco#info";
    public static final String ITEMS = "http://jabber.org/protocol/disco#items";

    private static final String COMMANDS = "http://jabber.org/protocol/commands";

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        ModuleRegistry registry = ctx.registry();
        return ModuleRegistration.builder()
                .identity(new Identity("server", "im", ctx.serverName()))
                .feature(INFO)
                .feature(ITEMS)
                .iq(IqHandler.Scope.SERVER, INFO, "get", req -> {
                    String node = req.payload().attr("node");
                    // XEP-0115 section 6.2: NODE#VER of the server's own caps is the server's answer
                    boolean caps = node != null && node.equals(registry.caps().discoNode());
                    if (node != null && !caps) {
                        return CompletableFuture.completedFuture(nodeInfo(registry, req, node));
                    }
                    XmlElement.Builder q = XmlElement.builder("query", INFO).attr("node", node);
                    registry.identities().forEach(i -> q.child(i.toElement(INFO)));
                    registry.features().forEach(f -> q.child(XmlElement.builder("feature", INFO).attr("var", f).build()));
                    return CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), q.build()));
                })
                .iq(IqHandler.Scope.SERVER, ITEMS, "get", req -> {
                    String node = req.payload().attr("node");
                    XmlElement.Builder q = XmlElement.builder("query", ITEMS).attr("node", node);
                    if (node == null) {
                        registry.items().forEach(jid -> q.child(XmlElement.builder("item", ITEMS).attr("jid", jid).build()));
                    } else if (node.equals(COMMANDS)) {
                        // XEP-0050 section 2.2: the commands this requester may run, each a node of the server
                        registry.commands().stream().filter(c -> c.allowed(req.from())).forEach(c -> q.child(
                                XmlElement.builder("item", ITEMS).attr("jid", req.to().toString()).attr("node", c.node())
                                        .attr("name", c.name()).build()));
                    }
                    return CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), q.build()));
                })
                .accountFeature(INFO)
                .iq(IqHandler.Scope.ACCOUNT, INFO, "get", req -> {
                    XmlElement.Builder q = XmlElement.builder("query", INFO)
                            .child(new Identity("account", "registered", null).toElement(INFO));
                    registry.accountFeatures().forEach(f -> q.child(XmlElement.builder("feature", INFO).attr("var", f).build()));
                    return CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), q.build()));
                })
                .iq(IqHandler.Scope.ACCOUNT, ITEMS, "get", req -> CompletableFuture.completedFuture(
                        Stanzas.iqResult(req.iq(), XmlElement.of("query", ITEMS))))
                .build();
    }

    /**
     * disco#info of a node of the server: the command list (XEP-0050 section 2.2, identity
     * automation/command-list) or one command the requester may run (identity
     * automation/command-node, features commands and jabber:x:data); any other node item-not-found.
     */
    private static XmlElement nodeInfo(ModuleRegistry registry, IqHandler.Request req, String node) {
        XmlElement.Builder q = XmlElement.builder("query", INFO).attr("node", node);
        if (node.equals(COMMANDS)) {
            q.child(new Identity("automation", "command-list", null).toElement(INFO));
            return Stanzas.iqResult(req.iq(), q.build());
        }
        AdHocCommand command = registry.command(node).filter(c -> c.allowed(req.from())).orElse(null);
        if (command == null) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND));
        }
        q.child(new Identity("automation", "command-node", command.name()).toElement(INFO));
        q.child(XmlElement.builder("feature", INFO).attr("var", COMMANDS).build());
        q.child(XmlElement.builder("feature", INFO).attr("var", "jabber:x:data").build());
        return Stanzas.iqResult(req.iq(), q.build());
    }
}
