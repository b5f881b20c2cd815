package org.kaiku.engine.c2s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kaiku.engine.features.register.RegistrationModule;
import org.kaiku.engine.tls.TlsHandshake;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.protocol.ext.register.Registration;
import org.kaiku.protocol.ext.csi.ClientState;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.sasl.ChannelBinding;
import org.kaiku.protocol.sasl.ChannelBindings;
import org.kaiku.protocol.sasl.PlainCredentials;
import org.kaiku.protocol.sasl.PlainServer;
import org.kaiku.protocol.sasl.SaslException;
import org.kaiku.protocol.sasl.SaslFailure;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;
import org.kaiku.protocol.sasl.ScramServer;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The c2s negotiation policy (RFC 6120 sections 4.3, 5, 6, 7): which features a stream offers at
 * each step, STARTTLS, SASL (SCRAM-SHA-1/256/512 with their -PLUS variants over tls-exporter or
 * tls-server-end-point, PLAIN only inside TLS) and resource binding, plus the legacy session
 * no-op (RFC 3921 section 3, kept as the optional feature of draft-cridland-xmpp-session).
 */
final class C2sNegotiation {
    private static final String SASL_CB = "urn:xmpp:sasl-cb:0";

    private final C2sContext shared;
    private final C2sSession session;
    private boolean awaitingTls;
    private Jid user;
    private int failedAuth;
    // one SASL exchange at a time
    private ScramServer scram;
    private ScramMechanism scramMech;
    private Jid pendingUser;
    /** The account being authenticated is disabled (XEP-0133): said only after its password was proven. */
    private boolean pendingDisabled;
    private boolean scramWaitingFirst;
    private PlainCredentials plain;
    private String pendingBindId;
    private boolean registeredOnStream;

    C2sNegotiation(C2sContext shared, C2sSession session) {
        this.shared = shared;
        this.session = session;
    }

    boolean awaitingTls() {
        return awaitingTls;
    }

    void onStreamOpen(StreamEvent.StreamOpen open) {
        String to = open.to();
        session.sendHeader(open.from());
        if (!"jabber:client".equals(open.defaultNamespace())) {
            session.streamError(Condition.INVALID_NAMESPACE, "the default namespace must be jabber:client");
            return;
        }
        if (!"stream".equals(open.prefix()) && !open.prefix().isEmpty()) {
            // RFC 6120 section 4.8.5 lets any prefix through; we accept it as the decoder did.
            session.context().getLog().debug("stream prefix {}", open.prefix());
        }
        String version = open.version();
        if (version == null || !version.matches("\\d+\\.\\d+") || Integer.parseInt(version.substring(0, version.indexOf('.'))) < 1) {
            session.streamError(Condition.UNSUPPORTED_VERSION, "XMPP 1.0 is required");
            return;
        }
        if (to != null) {
            Optional<Jid> toJid = Jid.tryParse(to);
            if (toJid.isEmpty() || !toJid.get().toString().equals(shared.settings().domain())) {
                session.streamError(Condition.HOST_UNKNOWN, "this server serves " + shared.settings().domain());
                return;
            }
        }
        session.writeElement(features());
    }

    private XmlElement features() {
        XmlElement.Builder f = XmlElement.builder("features", "http://etherx.jabber.org/streams");
        if (user != null) {
            f.child(XmlElement.of("bind", Namespaces.BIND));
            f.child(XmlElement.builder("session", Namespaces.SESSION).child(XmlElement.of("optional", Namespaces.SESSION)).build());
            // RFC 6121 section 3.4: the account entity honours subscription pre-approval.
            f.child(XmlElement.of("sub", "urn:xmpp:features:pre-approval"));
            // RFC 6121 section 2.6.1: the account entity versions the roster (2.6.3 gets and pushes).
            f.child(XmlElement.of("ver", "urn:xmpp:features:rosterver"));
            // XEP-0198 section 2: offered after authentication, so a client can resume instead of binding.
            f.child(StreamManagement.feature());
            // XEP-0352 section 4: offered once authenticated; the session holds back what it may.
            f.child(ClientState.feature());
            // XEP-0115 section 6.3: the server's own capabilities, so a client need not ask.
            f.child(shared.modules().caps().toXml());
            return prefixed(f.build());
        }
        boolean required = shared.settings().starttlsRequired();
        if (!session.isTls()) {
            XmlElement.Builder starttls = XmlElement.builder("starttls", Namespaces.TLS);
            if (required) {
                starttls.child(XmlElement.of("required", Namespaces.TLS));
            }
            f.child(starttls.build());
            if (required) {
                return prefixed(f.build());
            }
        }
        XmlElement.Builder mechs = XmlElement.builder("mechanisms", Namespaces.SASL);
        List<String> bindings = channelBindingTypes();
        boolean cb = !bindings.isEmpty();
        for (ScramMechanism m : new ScramMechanism[] {ScramMechanism.SHA_512, ScramMechanism.SHA_256, ScramMechanism.SHA_1}) {
            if (cb) {
                mechs.child(XmlElement.builder("mechanism", Namespaces.SASL).text(m.plusName()).build());
            }
        }
        for (ScramMechanism m : new ScramMechanism[] {ScramMechanism.SHA_512, ScramMechanism.SHA_256, ScramMechanism.SHA_1}) {
            mechs.child(XmlElement.builder("mechanism", Namespaces.SASL).text(m.saslName()).build());
        }
        if (session.isTls()) {
            mechs.child(XmlElement.builder("mechanism", Namespaces.SASL).text("PLAIN").build());
        }
        f.child(mechs.build());
        if (registrationOffered()) {
            f.child(Registration.feature());
        }
        if (cb) {
            // XEP-0440: which channel-binding types this server can check on this connection.
            XmlElement.Builder types = XmlElement.builder("sasl-channel-binding", SASL_CB);
            for (String type : bindings) {
                types.child(XmlElement.builder("channel-binding", SASL_CB).attr("type", type).build());
            }
            f.child(types.build());
        }
        return prefixed(f.build());
    }

    /** stream:features lives in the streams namespace under the "stream" prefix of our header. */
    private static XmlElement prefixed(XmlElement features) {
        return new XmlElement("stream:features", "jabber:client", features.attributes(), features.children());
    }

    /**
     * The channel-binding types this connection can check, best first: tls-exporter (RFC 9266;
     * on TLS 1.3 only, see {@code C2sTlsServer}) and tls-server-end-point (RFC 5929, when our
     * certificate's signature names one hash). tls-unique is never offered: it is
     * undefined for TLS 1.3 and broken by the triple handshake on 1.2 without the extended master
     * secret.
     */
    private List<String> channelBindingTypes() {
        List<String> types = new ArrayList<>(2);
        for (String type : new String[] {ChannelBindings.TLS_EXPORTER, ChannelBindings.TLS_SERVER_END_POINT}) {
            if (channelBinding(type) != null) {
                types.add(type);
            }
        }
        return types;
    }

    private ChannelBinding channelBinding(String type) {
        TlsHandshake handshake = session.tlsHandshake();
        if (handshake == null) {
            return null;
        }
        if (ChannelBindings.TLS_EXPORTER.equals(type)) {
            return handshake.exporter();
        }
        if (ChannelBindings.TLS_SERVER_END_POINT.equals(type)) {
            return shared.tls().serverEndPointBinding();
        }
        return null;
    }

    void onElement(XmlElement e) {
        String ns = e.namespace();
        if (Namespaces.TLS.equals(ns) && e.name().equals("starttls")) {
            if (session.isTls() || user != null) {
                session.streamError(Condition.POLICY_VIOLATION, "TLS is already negotiated");
                return;
            }
            awaitingTls = true;
            session.startTls(XmlElement.of("proceed", Namespaces.TLS));
            return;
        }
        if (Namespaces.SASL.equals(ns) && user == null) {
            onSasl(e);
            return;
        }
        if (user != null && e.name().equals("iq") && Namespaces.CLIENT.equals(ns)) {
            onPreBindIq(e);
            return;
        }
        if (user != null && StreamManagement.is(e)) {
            session.sm().beforeBind(e, user);
            return;
        }
        if (user == null && encryptedEnough() && e.name().equals("iq") && Namespaces.CLIENT.equals(ns)
                && e.child("query", Registration.NAMESPACE) != null && e.attr("id") != null) {
            if (registrationOffered()) {
                onRegistration(e);
            } else {
                // XEP-0077 section 3.1: a host without in-band registration MUST answer service-unavailable
                session.writeElement(Registration.error(e, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
            }
            return;
        }
        session.streamError(Condition.NOT_AUTHORIZED, "authenticate first");
    }

    // ---------------------------------------------------------------- SASL (RFC 6120 section 6)

    private void onSasl(XmlElement e) {
        if (!session.isTls() && shared.settings().starttlsRequired()) {
            saslFailure(SaslFailure.ENCRYPTION_REQUIRED);
            return;
        }
        try {
            switch (e.name()) {
                case "auth" -> onAuth(e);
                case "response" -> onResponse(e);
                case "abort" -> {
                    resetSasl();
                    saslFailure(SaslFailure.ABORTED);
                }
                default -> session.streamError(Condition.UNSUPPORTED_STANZA_TYPE, "unknown SASL element " + e.name());
            }
        } catch (SaslException ex) {
            resetSasl();
            saslFailure(ex.failure());
        }
    }

    private void onAuth(XmlElement e) throws SaslException {
        if (scram != null || plain != null) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, "an exchange is already running");
        }
        String mech = e.attr("mechanism");
        if ("PLAIN".equals(mech) && session.isTls()) {
            plain = PlainServer.decode(SaslText.unbase64(e.text()));
            Jid jid = userJid(plain.authcid());
            checkAuthzid(plain.authzid(), jid);
            loadCredentials(jid);
            return;
        }
        Optional<ScramMechanism> m = mech == null ? Optional.empty() : ScramMechanism.bySaslName(mech);
        boolean plus = mech != null && mech.endsWith("-PLUS");
        if (m.isEmpty() || (plus && !session.isTls())) {
            throw new SaslException(SaslFailure.INVALID_MECHANISM, "mechanism " + mech);
        }
        boolean serverPlus = !channelBindingTypes().isEmpty();
        scram = new ScramServer(m.get(), plus, this::channelBinding, serverPlus, session.random(),
                shared.unknownUserSecret(), shared.settings().scramIterations());
        scramMech = m.get();
        String text = e.text();
        if (text == null || text.isBlank()) {
            // No initial response: an empty challenge asks for it (RFC 6120 section 6.4.2).
            scramWaitingFirst = true;
            session.writeElement(XmlElement.of("challenge", Namespaces.SASL));
            return;
        }
        scramFirst(SaslText.unbase64(text));
    }

    private void scramFirst(byte[] clientFirst) throws SaslException {
        String username = scram.receiveClientFirst(clientFirst);
        Jid jid = userJid(username);
        checkAuthzid(scram.authzid(), jid);
        loadCredentials(jid);
    }

    /** An authzid may only name the account itself (RFC 6120 section 6.3.8): we act for no one else. */
    private static void checkAuthzid(String authzid, Jid account) throws SaslException {
        if (authzid == null || authzid.isEmpty()) {
            return;
        }
        Optional<Jid> asked = Jid.tryParse(authzid);
        if (asked.isEmpty() || !asked.get().bare().equals(account) || !asked.get().isBare()) {
            throw new SaslException(SaslFailure.INVALID_AUTHZID, "authzid names another identity");
        }
    }

    private Jid userJid(String username) throws SaslException {
        try {
            Jid jid = Jid.of(username, shared.settings().domain(), null);
            pendingUser = jid;
            return jid;
        } catch (IllegalArgumentException ex) {
            throw new SaslException(SaslFailure.NOT_AUTHORIZED, "bad username");
        }
    }

    private void loadCredentials(Jid jid) {
        session.waitForAnswer();
        session.context().pipeToSelf(shared.credentials().account(jid.domain(), jid.local()),
                (account, err) -> new C2sSession.CredentialsLoaded(account, err));
    }

    void onCredentials(C2sSession.CredentialsLoaded m) {
        if (m.failure() != null) {
            session.context().getLog().warn("credential look-up failed: {}", m.failure().toString());
            resetSasl();
            saslFailure(SaslFailure.TEMPORARY_AUTH_FAILURE);
            return;
        }
        Map<ScramMechanism, ScramCredential> creds = m.account() == null ? Map.of() : m.account().credentials();
        pendingDisabled = m.account() != null && m.account().disabled();
        if (plain != null) {
            ScramCredential any = creds.values().stream().findFirst().orElse(null);
            boolean ok = any != null && any.verifyPassword(plain.password());
            plain = null;
            if (ok) {
                saslSuccess(new byte[0]);
            } else {
                resetSasl();
                saslFailure(SaslFailure.NOT_AUTHORIZED);
            }
            return;
        }
        if (scram != null) {
            ScramCredential c = creds.get(scramMech);
            byte[] serverFirst = scram.serverFirst(c);
            session.writeElement(XmlElement.builder("challenge", Namespaces.SASL).text(SaslText.base64(serverFirst)).build());
        }
    }

    private void onResponse(XmlElement e) throws SaslException {
        if (scram == null) {
            throw new SaslException(SaslFailure.MALFORMED_REQUEST, "no exchange running");
        }
        byte[] data = SaslText.unbase64(e.text());
        if (scramWaitingFirst) {
            scramWaitingFirst = false;
            scramFirst(data);
            return;
        }
        byte[] serverFinal = scram.receiveClientFinal(data);
        saslSuccess(serverFinal);
    }

    private void saslSuccess(byte[] additional) {
        if (pendingDisabled) {
            // RFC 6120 section 6.5.1, after the proof: a wrong password still gets not-authorized,
            // so the mark tells nothing to someone who does not know the password.
            resetSasl();
            saslFailure(SaslFailure.ACCOUNT_DISABLED);
            return;
        }
        user = pendingUser;
        scram = null;
        plain = null;
        XmlElement.Builder s = XmlElement.builder("success", Namespaces.SASL);
        if (additional.length > 0) {
            s.text(SaslText.base64(additional));
        }
        session.writeElement(s.build());
        session.restartStream();
    }

    private void saslFailure(SaslFailure f) {
        session.writeElement(XmlElement.builder("failure", Namespaces.SASL).child(XmlElement.of(f.elementName(), Namespaces.SASL)).build());
        if (f != SaslFailure.ABORTED && ++failedAuth >= shared.settings().maxAuthAttempts()) {
            session.streamError(Condition.POLICY_VIOLATION, "too many failed authentication attempts");
        }
    }

    private void resetSasl() {
        scram = null;
        plain = null;
        scramWaitingFirst = false;
        pendingUser = null;
        pendingDisabled = false;
    }

    // ------------------------------------- in-band registration (XEP-0077 section 3.1)

    /** In-band registration is on, and the stream is encrypted where STARTTLS is required. */
    private boolean registrationOffered() {
        return encryptedEnough() && shared.modules().module(RegistrationModule.class).map(RegistrationModule::inBand).orElse(false);
    }

    private boolean encryptedEnough() {
        return session.isTls() || !shared.settings().starttlsRequired();
    }

    private void onRegistration(XmlElement iq) {
        RegistrationModule module = shared.modules().module(RegistrationModule.class).orElseThrow();
        session.waitForAnswer();
        session.context().pipeToSelf(module.beforeAuth(iq, session.remote(), registeredOnStream),
                (answer, err) -> new C2sSession.PreAuthAnswer(err == null ? answer
                        : Registration.error(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR))));
    }

    /** A set answered with a result created an account: this stream may not create another. */
    void onPreAuthAnswer(C2sSession.PreAuthAnswer m) {
        if ("result".equals(m.answer().attr("type")) && m.answer().child("query", Registration.NAMESPACE) == null) {
            registeredOnStream = true;
        }
        session.writeElement(m.answer());
    }

    // ------------------------------------------------------- binding (RFC 6120 section 7)

    private void onPreBindIq(XmlElement iq) {
        String type = iq.attr("type");
        XmlElement bind = iq.child("bind", Namespaces.BIND);
        XmlElement legacySession = iq.child("session", Namespaces.SESSION);
        if ("set".equals(type) && bind != null && iq.attr("id") != null && pendingBindId == null) {
            String resource = bind.childText("resource", Namespaces.BIND);
            if (resource != null && resource.isBlank()) {
                resource = null;
            }
            pendingBindId = iq.attr("id");
            session.waitForAnswer();
            final String requested = resource;
            session.context().ask(UserEntity.BindResult.class, shared.router().user(user), C2sSession.askTimeout(),
                    replyTo -> new UserEntity.Bind(requested, session.context().getSelf(), replyTo),
                    (res, err) -> toBound(res, err));
            return;
        }
        if ("set".equals(type) && legacySession != null) {
            session.writeElement(Stanzas.iqResult(iq, null));
            return;
        }
        if (("get".equals(type) || "set".equals(type)) && iq.attr("id") != null) {
            session.writeElement(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.NOT_AUTHORIZED)));
            return;
        }
        session.streamError(Condition.NOT_AUTHORIZED, "bind a resource first");
    }

    private static C2sSession.Bound toBound(UserEntity.BindResult res, Throwable err) {
        if (err != null) {
            return new C2sSession.Bound(null, null, null, err);
        }
        if (res instanceof UserEntity.Bound b) {
            return new C2sSession.Bound(b.fullJid(), null, null, null);
        }
        UserEntity.Refused r = (UserEntity.Refused) res;
        return new C2sSession.Bound(null, null, r.condition().name(), null);
    }

    void onBound(C2sSession.Bound m) {
        XmlElement request = XmlElement.builder("iq", Namespaces.CLIENT).attr("id", pendingBindId).attr("type", "set").build();
        pendingBindId = null;
        if (m.failure() != null || m.fullJid() == null) {
            StanzaError.Condition c = m.refusal() != null ? StanzaError.Condition.valueOf(m.refusal())
                    : StanzaError.Condition.INTERNAL_SERVER_ERROR;
            if (m.failure() != null) {
                session.context().getLog().warn("bind failed: {}", m.failure().toString());
            }
            session.writeElement(Stanzas.errorReply(request, StanzaError.of(c)));
            return;
        }
        Jid full = Jid.parse(m.fullJid());
        XmlElement result = Stanzas.iqResult(request, XmlElement.builder("bind", Namespaces.BIND).textChild("jid", full.toString()).build());
        session.established(new EstablishedStanzas(shared, session, full));
        session.writeElement(result);
    }

}
