package org.kaiku.engine.features.last;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0012 Last Activity, version 2.0, for the server's own JID: section 5 makes the answer to a
 * bare domain the host's uptime, here the seconds since this node registered its modules (its
 * engine started), measured on the monotonic clock so wall-clock corrections cannot make it jump
 * or go negative. Each node of a cluster reports its own uptime. The query carries no text
 * (section 5: SHOULD NOT).
 *
 * <p>The primary use, a user's bare JID (section 3: time since the last logout, and only to
 * presence subscribers), is answered by that account's entity (the user package's LastActivity),
 * which also refuses unauthorized queries to a full JID (section 4). A user asking about its
 * own bare JID does so from a connected resource, so section 3's answer is {@code seconds='0'}
 * with no text, given here in ACCOUNT scope without a trip to the entity.
 */
@Xep(number = 12, version = "2.0", status = Xep.Status.COMPLETE,
        note = "users: 0 while a resource is connected, else seconds since the last logout and its unavailable status, to presence subscribers only; the server: its node's uptime")
public final class LastActivityModule implements XmppModule {
    public static final String NAMESPACE = "jabber:iq:last";

    private final LongSupplier nanoTime;

    public LastActivityModule() {
        this(System::nanoTime);
    }

    /** With a monotonic clock in nanoseconds, for tests. */
    LastActivityModule(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        long started = nanoTime.getAsLong();
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.SERVER, NAMESPACE, "get", req -> {
                    long seconds = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nanoTime.getAsLong() - started));
                    XmlElement query = XmlElement.builder("query", NAMESPACE).attr("seconds", Long.toString(seconds)).build();
                    return CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), query));
                })
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "get", req -> CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(),
                        XmlElement.builder("query", NAMESPACE).attr("seconds", "0").build())))
                .build();
    }
}
