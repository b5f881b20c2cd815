package org.kaiku.protocol.sasl;

import static org.kaiku.protocol.sasl.ScramSyntax.malformed;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import com.ongres.scram.common.ScramFunctions;

/**
 * The server side of one SCRAM exchange (RFC 5802 section 5, RFC 7677), including the -PLUS
 * channel-binding variants (RFC 5802 section 6).
 *
 * <p>The exchange is driven in steps so that the caller can look the account up asynchronously
 * between them: {@link #receiveClientFirst} returns the username, the caller fetches the stored
 * {@link ScramCredential} (or finds none) and passes it to {@link #serverFirst}, then
 * {@link #receiveClientFinal} checks the proof and yields the server-final message. Calling the
 * steps out of order is a programming error ({@link IllegalStateException}); every problem with
 * the client's bytes is a {@link SaslException}, after which the exchange is over.
 *
 * <p>An unknown account is answered with a salt derived from a server secret and the username
 * and with a fixed iteration count, so that the server-first message looks the same as for a real
 * account and repeats for the same name; the final step then fails like a wrong password. Every
 * node of a cluster should pass the same secret, else the salt varies with the node answering.
 *
 * <p>Instances are not thread-safe; one belongs to one connection's negotiation.
 */
public final class ScramServer {
    /** Iteration count shown for unknown accounts by the short constructor. */
    public static final int DEFAULT_UNKNOWN_USER_ITERATIONS = 4096;

    /** Per-process fallback secret for unknown-account salts (see the class comment). */
    private static final byte[] PROCESS_SECRET = processSecret();

    /** Random bytes in the server's part of the nonce. */
    private static final int SERVER_NONCE_BYTES = 18;

    private enum Stage { CLIENT_FIRST, CREDENTIAL, CLIENT_FINAL, SUCCEEDED, FAILED }

    private final ScramMechanism mechanism;
    private final boolean plus;
    private final Function<String, ChannelBinding> channelBindingByType;
    private final boolean serverSupportsPlus;
    private final SecureRandom random;
    private final byte[] unknownUserSecret;
    private final int unknownUserIterations;
    private final Supplier<String> serverNonce;

    private Stage stage = Stage.CLIENT_FIRST;
    private String username;
    private String authzid;
    private String gs2Header;
    private byte[] channelBindingData;
    private String clientFirstBare;
    private String clientNonce;
    private String nonce;
    private String serverFirst;
    private ScramCredential credential;
    private boolean unknownUser;

    /**
     * @param mechanism the hash family selected by the client
     * @param plus whether the client selected the -PLUS variant
     * @param channelBindingByType this connection's channel-binding data by type name, or
     *     {@code null} for a type the server does not support
     * @param serverSupportsPlus whether the server offered -PLUS variants on this stream: then a
     *     client flag 'y' reveals that someone stripped them (downgrade)
     * @param random source of server nonces
     */
    public ScramServer(ScramMechanism mechanism, boolean plus, Function<String, ChannelBinding> channelBindingByType,
            boolean serverSupportsPlus, SecureRandom random) {
        this(mechanism, plus, channelBindingByType, serverSupportsPlus, random, PROCESS_SECRET,
                DEFAULT_UNKNOWN_USER_ITERATIONS);
    }

    /**
     * As the short constructor, plus how unknown accounts are disguised.
     *
     * @param unknownUserSecret a secret shared by all nodes, keying the fake salts
     * @param unknownUserIterations the iteration count real credentials use
     */
    public ScramServer(ScramMechanism mechanism, boolean plus, Function<String, ChannelBinding> channelBindingByType,
            boolean serverSupportsPlus, SecureRandom random, byte[] unknownUserSecret, int unknownUserIterations) {
        this(mechanism, plus, channelBindingByType, serverSupportsPlus, random, unknownUserSecret,
                unknownUserIterations, () -> randomNonce(random));
    }

    /** With a fixed server nonce source, for the RFC test vectors. */
    ScramServer(ScramMechanism mechanism, boolean plus, Function<String, ChannelBinding> channelBindingByType,
            boolean serverSupportsPlus, SecureRandom random, byte[] unknownUserSecret, int unknownUserIterations,
            Supplier<String> serverNonce) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.plus = plus;
        this.channelBindingByType = Objects.requireNonNull(channelBindingByType, "channelBindingByType");
        this.serverSupportsPlus = serverSupportsPlus;
        this.random = Objects.requireNonNull(random, "random");
        this.unknownUserSecret = Objects.requireNonNull(unknownUserSecret, "unknownUserSecret").clone();
        if (unknownUserIterations < 1) {
            throw new IllegalArgumentException("unknownUserIterations must be positive");
        }
        this.unknownUserIterations = unknownUserIterations;
        this.serverNonce = Objects.requireNonNull(serverNonce, "serverNonce");
    }

    /**
     * Reads client-first-message: gs2-header then client-first-message-bare.
     *
     * @return the username, saslname-decoded but not yet PRECIS-prepared
     * @throws SaslException MALFORMED_REQUEST for bad syntax, a channel-binding flag that does not
     *     match the mechanism, or a mandatory extension; NOT_AUTHORIZED for a downgrade ('y' while
     *     -PLUS was offered) or an unsupported channel-binding type; INVALID_AUTHZID for an
     *     authorization identity other than the username
     */
    public String receiveClientFirst(byte[] clientFirst) throws SaslException {
        expect(Stage.CLIENT_FIRST);
        stage = Stage.FAILED;
        String msg = ScramSyntax.utf8(clientFirst, "client-first-message");
        int c1 = msg.indexOf(',');
        int c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
        if (c2 < 0) {
            throw malformed("client-first-message lacks a gs2-header");
        }
        readCbindFlag(msg.substring(0, c1));
        String authzField = msg.substring(c1 + 1, c2);
        String requestedAuthzid = authzField.isEmpty() ? null
                : ScramSyntax.decodeSaslName(ScramSyntax.attribute(authzField, 'a', "gs2-header"), "authzid");

        gs2Header = msg.substring(0, c2 + 1);
        clientFirstBare = msg.substring(c2 + 1);
        String[] fields = clientFirstBare.split(",", -1);
        if (fields[0].startsWith("m=")) {
            throw malformed("mandatory extension not supported");
        }
        if (fields.length < 2) {
            throw malformed("client-first-message-bare needs n= and r=");
        }
        username = ScramSyntax.decodeSaslName(ScramSyntax.attribute(fields[0], 'n', "client-first-message"), "username");
        clientNonce = ScramSyntax.attribute(fields[1], 'r', "client-first-message");
        ScramSyntax.requirePrintable(clientNonce, "client nonce");
        for (int i = 2; i < fields.length; i++) {
            ScramSyntax.requireExtension(fields[i], "client-first-message");
        }
        // In XMPP the authzid is a JID (RFC 6120 section 6.3.8): the caller, who knows the
        // domain, decides whether it names the authenticating account; see authzid().
        authzid = requestedAuthzid;
        stage = Stage.CREDENTIAL;
        return username;
    }

    /** gs2-cbind-flag: "n", "y" or "p=" cb-name, checked against the mechanism and the offer. */
    private void readCbindFlag(String flag) throws SaslException {
        if (flag.equals("n") || flag.equals("y")) {
            if (plus) {
                throw malformed(mechanism.plusName() + " needs channel binding (flag 'p')");
            }
            if (flag.equals("y") && serverSupportsPlus) {
                throw new SaslException(SaslFailure.NOT_AUTHORIZED,
                        "client saw no channel binding offered although it was: possible downgrade");
            }
            return;
        }
        if (!flag.startsWith("p=")) {
            throw malformed("bad gs2-cbind-flag");
        }
        String type = flag.substring(2);
        ScramSyntax.requireCbName(type);
        if (!plus) {
            throw malformed("channel binding requested with " + mechanism.saslName() + ", not -PLUS");
        }
        ChannelBinding binding = channelBindingByType.apply(type);
        if (binding == null) {
            throw new SaslException(SaslFailure.NOT_AUTHORIZED, "unsupported channel-binding type " + type);
        }
        channelBindingData = binding.data();
    }

    /**
     * Builds server-first-message for the looked-up credential.
     *
     * @param credentialOrNull the account's credential for this mechanism, or {@code null} when
     *     there is no such account (the answer looks alike; the exchange will fail at the end)
     * @throws IllegalArgumentException if the credential is for another mechanism
     */
    public byte[] serverFirst(ScramCredential credentialOrNull) {
        expect(Stage.CREDENTIAL);
        if (credentialOrNull == null) {
            unknownUser = true;
            credential = fakeCredential();
        } else {
            if (credentialOrNull.mechanism() != mechanism) {
                throw new IllegalArgumentException("credential is for " + credentialOrNull.mechanism() + ", not " + mechanism);
            }
            credential = credentialOrNull;
        }
        String snonce = serverNonce.get();
        nonce = clientNonce + snonce;
        serverFirst = "r=" + nonce + ",s=" + credential.saltBase64() + ",i=" + credential.iterations();
        stage = Stage.CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads client-final-message and checks channel binding, nonce and proof.
     *
     * @return server-final-message ({@code v=} ServerSignature) for the client to verify
     * @throws SaslException MALFORMED_REQUEST for bad syntax; NOT_AUTHORIZED when the binding,
     *     the nonce or the proof does not match, or the account does not exist
     */
    public byte[] receiveClientFinal(byte[] clientFinal) throws SaslException {
        expect(Stage.CLIENT_FINAL);
        stage = Stage.FAILED;
        String msg = ScramSyntax.utf8(clientFinal, "client-final-message");
        int p = msg.lastIndexOf(",p=");
        if (p < 0) {
            throw malformed("client-final-message lacks the proof");
        }
        String withoutProof = msg.substring(0, p);
        byte[] proof = ScramSyntax.base64(msg.substring(p + 3), "proof");
        String[] fields = withoutProof.split(",", -1);
        if (fields.length < 2) {
            throw malformed("client-final-message needs c=, r= and p=");
        }
        byte[] cbind = ScramSyntax.base64(ScramSyntax.attribute(fields[0], 'c', "client-final-message"), "channel binding");
        String finalNonce = ScramSyntax.attribute(fields[1], 'r', "client-final-message");
        for (int i = 2; i < fields.length; i++) {
            ScramSyntax.requireExtension(fields[i], "client-final-message");
        }
        if (proof.length != mechanism.keyLength()) {
            throw malformed("proof must be " + mechanism.keyLength() + " bytes");
        }
        if (!MessageDigest.isEqual(cbind, expectedCbindInput())) {
            throw new SaslException(SaslFailure.NOT_AUTHORIZED, "channel-binding data does not match");
        }
        if (!finalNonce.equals(nonce)) {
            throw new SaslException(SaslFailure.NOT_AUTHORIZED, "nonce does not match");
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] storedKey = credential.storedKey();
        byte[] clientSignature = ScramFunctions.clientSignature(mechanism.primitives(), storedKey, authMessage);
        byte[] clientKey = ScramFunctions.clientProof(proof, clientSignature);
        boolean proofOk = MessageDigest.isEqual(ScramFunctions.hash(mechanism.primitives(), clientKey), storedKey);
        Arrays.fill(clientKey, (byte) 0);
        if (!proofOk || unknownUser) {
            throw new SaslException(SaslFailure.NOT_AUTHORIZED, "wrong username or password");
        }
        byte[] serverSignature = ScramFunctions.serverSignature(mechanism.primitives(), credential.serverKey(), authMessage);
        stage = Stage.SUCCEEDED;
        return ("v=" + ScramSyntax.base64(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    /** cbind-input = gs2-header [ cbind-data ] (RFC 5802 section 7). */
    private byte[] expectedCbindInput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (channelBindingData != null) {
            out.writeBytes(channelBindingData);
        }
        return out.toByteArray();
    }

    /** A credential nobody can match: a keyed, repeatable salt and random keys. */
    private ScramCredential fakeCredential() {
        byte[] key = ScramFunctions.hmac(com.ongres.scram.common.ScramMechanism.SCRAM_SHA_256, unknownUserSecret,
                (mechanism.saslName() + "\0" + username).getBytes(StandardCharsets.UTF_8));
        byte[] salt = Arrays.copyOf(key, ScramCredential.SALT_LENGTH);
        byte[] storedKey = new byte[mechanism.keyLength()];
        byte[] serverKey = new byte[mechanism.keyLength()];
        random.nextBytes(storedKey);
        random.nextBytes(serverKey);
        return new ScramCredential(mechanism, salt, unknownUserIterations, storedKey, serverKey);
    }

    private static byte[] processSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static String randomNonce(SecureRandom random) {
        byte[] b = new byte[SERVER_NONCE_BYTES];
        random.nextBytes(b);
        return ScramSyntax.base64(b);
    }

    private void expect(Stage expected) {
        if (stage != expected) {
            throw new IllegalStateException("SCRAM exchange is at " + stage + ", not " + expected);
        }
    }

    /** The username from client-first-message (saslname-decoded, not prepared); null before it. */
    public String username() {
        return username;
    }

    /** The authorization identity the client asked for, or null if none (then: the username). */
    public String authzid() {
        return authzid;
    }

    /** True once {@link #receiveClientFinal} has accepted the proof. */
    public boolean isSucceeded() {
        return stage == Stage.SUCCEEDED;
    }

    public ScramMechanism mechanism() {
        return mechanism;
    }

    public boolean isPlus() {
        return plus;
    }
}
