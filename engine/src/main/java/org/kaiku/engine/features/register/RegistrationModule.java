package org.kaiku.engine.features.register;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.register.Registration;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0077 In-Band Registration, version 2.4, for the server's own accounts.
 *
 * <p><b>Before authentication</b> (section 3.1 and 3.1.1), only when {@code kaiku.registration.in-band}
 * is on, and only inside TLS when STARTTLS is required: the c2s negotiation hands the iq to
 * {@link #beforeAuth}. A get answers the fields (username, password); a set creates the account
 * through {@link AccountService} (SCRAM keys only, no password kept). Answers:
 * <ul>
 *   <li>a name already taken: conflict;</li>
 *   <li>a field missing or empty: not-acceptable (section 3.1); a name that is no valid localpart
 *       (RFC 7622 section 3.3): not-acceptable with a text;</li>
 *   <li>a second registration on one stream: not-acceptable (section 3.1.1 lets the server refuse it);</li>
 *   <li>the remote address created {@code per-address-limit} accounts within
 *       {@code per-address-window} on this node: resource-constraint of type wait, so a client
 *       tries later (see {@link AddressLimiter} for what that limit is worth in a cluster);</li>
 *   <li>a store failure: internal-server-error.</li>
 * </ul>
 *
 * <p><b>After authentication</b>, iqs to the server or to the account itself: a get answers
 * {@code <registered/>} with the username; a set with username and password changes the
 * password (section 3.3) when {@code password-change} is on (not-allowed otherwise), for the
 * sender's own account only (forbidden for another name). Sessions already logged in stay; the
 * new password counts from the next login. {@code <remove/>} (section 3.2) deletes the sender's
 * account when {@code removal} is on (not-allowed otherwise): through
 * {@link AccountService#remove}, which erases everything kept for the account (roster and
 * subscriptions, offline messages, archive, stored documents) before its credentials. The iq
 * result reaches the requesting resource first; then every session of the account is closed with
 * the not-authorized stream error, as the section says. If the erasure fails the account stays
 * and the client gets an error instead.
 *
 * <p>No error reply echoes the request: it holds a password.
 */
@Xep(number = 77, version = "2.4", status = Xep.Status.PARTIAL,
        note = "off by default; per-address limit per node; password change; removal erases the account's data, then its credentials")
public final class RegistrationModule implements XmppModule {
    private RegistrationSettings settings;
    private AccountService accounts;
    private AddressLimiter limiter;
    private String domain;

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        settings = RegistrationSettings.fromConfig(ctx.config());
        domain = ctx.domain();
        int iterations = ctx.config().getInt("kaiku.sasl.scram-iterations");
        accounts = new AccountService(ctx.domain(), ctx.stores().credentials(), iterations, ctx.accounts());
        limiter = new AddressLimiter(settings.perAddressLimit(), settings.window(), System::nanoTime);
        ModuleRegistration.Builder b = ModuleRegistration.builder().feature(Registration.NAMESPACE);
        for (IqHandler.Scope scope : IqHandler.Scope.values()) {
            b.iq(scope, Registration.NAMESPACE, "get", this::registered);
            b.iq(scope, Registration.NAMESPACE, "set", this::change);
        }
        return b.build();
    }

    /** Whether unauthenticated clients may register: the c2s negotiation offers the stream feature then. */
    public boolean inBand() {
        return settings.inBand();
    }

    /**
     * One registration iq of a stream that has not authenticated yet.
     *
     * @param registeredBefore whether this stream already created an account
     */
    public CompletionStage<XmlElement> beforeAuth(XmlElement iq, InetAddress remote, boolean registeredBefore) {
        String type = iq.attr("type");
        if ("get".equals(type)) {
            return done(Stanzas.iqResult(iq, Registration.fields(settings.instructions())));
        }
        if (!"set".equals(type)) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
        }
        Registration.Request request;
        try {
            request = Registration.read(iq.child("query", Registration.NAMESPACE));
        } catch (StanzaRequestException e) {
            return done(Registration.error(iq, StanzaError.of(e.condition(), e.getMessage())));
        }
        if (!(request instanceof Registration.Credentials c)) {
            // <remove/> before authentication: nothing is registered on this stream (section 3.2's table)
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.REGISTRATION_REQUIRED)));
        }
        if (registeredBefore) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE,
                    "one registration per stream: authenticate now")));
        }
        Jid account;
        try {
            account = Jid.of(c.username(), domain, null);
        } catch (IllegalArgumentException e) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, "not a valid username")));
        }
        if (!limiter.tryAcquire(remote)) {
            return done(Registration.error(iq, new StanzaError(StanzaError.Type.WAIT, StanzaError.Condition.RESOURCE_CONSTRAINT,
                    "too many registrations from this address; try again later")));
        }
        return accounts.add(account.toString(), c.password()).handle((created, err) -> {
            if (err != null || !Boolean.TRUE.equals(created)) {
                limiter.release(remote);
            }
            if (err != null) {
                return Registration.error(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR));
            }
            return Boolean.TRUE.equals(created)
                    ? Stanzas.iqResult(iq, null)
                    : Registration.error(iq, StanzaError.of(StanzaError.Condition.CONFLICT));
        });
    }

    private CompletionStage<XmlElement> registered(IqHandler.Request req) {
        return done(Stanzas.iqResult(req.iq(), Registration.registered(req.from().local())));
    }

    private CompletionStage<XmlElement> change(IqHandler.Request req) {
        XmlElement iq = req.iq();
        Registration.Request request;
        try {
            request = Registration.read(req.payload());
        } catch (StanzaRequestException e) {
            // section 3.3: an incomplete password change is a bad-request
            StanzaError.Condition condition = e.condition() == StanzaError.Condition.NOT_ACCEPTABLE
                    ? StanzaError.Condition.BAD_REQUEST : e.condition();
            return done(Registration.error(iq, StanzaError.of(condition, e.getMessage())));
        }
        if (request instanceof Registration.Remove) {
            return remove(req);
        }
        Registration.Credentials c = (Registration.Credentials) request;
        if (!settings.passwordChange()) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.NOT_ALLOWED)));
        }
        Jid named;
        try {
            named = Jid.of(c.username(), domain, null);
        } catch (IllegalArgumentException e) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.FORBIDDEN)));
        }
        Jid self = req.from().bare();
        if (!named.equals(self)) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.FORBIDDEN, "only your own password")));
        }
        return accounts.changePassword(self.toString(), c.password()).handle((changed, err) -> err == null && Boolean.TRUE.equals(changed)
                ? Stanzas.iqResult(iq, null)
                : Registration.error(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
    }

    private CompletionStage<XmlElement> remove(IqHandler.Request req) {
        XmlElement iq = req.iq();
        if (!settings.removal()) {
            return done(Registration.error(iq, StanzaError.of(StanzaError.Condition.NOT_ALLOWED,
                    "accounts are not removed in-band on this server")));
        }
        XmlElement result = Stanzas.iqResult(iq, null);
        Jid self = req.from();
        // the result goes to the client through the account's entity, before its sessions close;
        // answered here too, it arrives at a closed stream and is dropped
        return accounts.remove(self.bare().toString(), self.resource(), result).handle((removed, err) -> {
            if (err == null && Boolean.TRUE.equals(removed)) {
                return result;
            }
            return Registration.error(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR, "the account could not be removed"));
        });
    }

    private static CompletionStage<XmlElement> done(XmlElement answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
