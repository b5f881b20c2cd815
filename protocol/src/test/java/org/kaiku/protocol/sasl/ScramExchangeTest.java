package org.kaiku.protocol.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Whole exchanges against an independent client, scram-client 3.2, and the failure paths. */
class ScramExchangeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ITERATIONS = 4096;
    private static final byte[] CB_DATA = "end-point-hash-of-this-connection".getBytes(UTF_8);
    private static final Function<String, ChannelBinding> CB_BY_TYPE = type ->
            ChannelBindings.TLS_SERVER_END_POINT.equals(type) ? new ChannelBinding(type, CB_DATA) : null;
    private static final Map<ScramMechanism, ScramCredential> USER =
            ScramCredential.createAll("pencil", ITERATIONS, RANDOM);

    /** Runs the exchange; returns the server, which has succeeded unless an exception escaped. */
    private static ScramServer run(ScramClient client, ScramServer server, ScramCredential credential)
            throws Exception {
        return run(client, client.clientFirstMessage().toString(), server, credential);
    }

    /** As above, for a client whose first message was already taken (it can be taken once). */
    private static ScramServer run(ScramClient client, String clientFirst, ScramServer server,
            ScramCredential credential) throws Exception {
        String username = server.receiveClientFirst(clientFirst.getBytes(UTF_8));
        assertThat(username).isEqualTo("user");
        String serverFirst = new String(server.serverFirst(credential), UTF_8);
        client.serverFirstMessage(serverFirst);
        byte[] serverFinal = server.receiveClientFinal(client.clientFinalMessage().toString().getBytes(UTF_8));
        client.serverFinalMessage(new String(serverFinal, UTF_8));
        return server;
    }

    private static ScramClient client(List<String> advertised, String password, byte[] cbData) {
        var stage = ScramClient.builder().advertisedMechanisms(advertised).username("user")
                .password(password.toCharArray());
        if (cbData != null) {
            stage = stage.channelBinding(ChannelBindings.TLS_SERVER_END_POINT, cbData);
        }
        return stage.build();
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void plainVariantSucceedsWithScramClient(ScramMechanism m) throws Exception {
        ScramClient client = client(List.of(m.saslName()), "pencil", null);
        assertThat(client.getScramMechanism().getName()).isEqualTo(m.saslName());
        ScramServer server = run(client, new ScramServer(m, false, CB_BY_TYPE, false, RANDOM), USER.get(m));
        assertThat(server.isSucceeded()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void plusVariantSucceedsWithTlsServerEndPointData(ScramMechanism m) throws Exception {
        ScramClient client = client(List.of(m.saslName(), m.plusName()), "pencil", CB_DATA);
        assertThat(client.getScramMechanism().getName()).isEqualTo(m.plusName());
        String clientFirst = client.clientFirstMessage().toString();
        assertThat(clientFirst).startsWith("p=tls-server-end-point,,");
        ScramServer server = run(client, clientFirst, new ScramServer(m, true, CB_BY_TYPE, true, RANDOM), USER.get(m));
        assertThat(server.isSucceeded()).isTrue();
        assertThat(server.isPlus()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void plusVariantFailsWhenTheClientSawAnotherCertificate(ScramMechanism m) {
        ScramClient client = client(List.of(m.plusName()), "pencil", "a-mitm-certificate-hash".getBytes(UTF_8));
        ScramServer server = new ScramServer(m, true, CB_BY_TYPE, true, RANDOM);
        assertThatThrownBy(() -> run(client, server, USER.get(m)))
                .isInstanceOf(SaslException.class)
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
        assertThat(server.isSucceeded()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void wrongPasswordIsNotAuthorized(ScramMechanism m) {
        ScramClient client = client(List.of(m.saslName()), "pen", null);
        ScramServer server = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM);
        assertThatThrownBy(() -> run(client, server, USER.get(m)))
                .isInstanceOf(SaslException.class)
                .hasMessage("wrong username or password")
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
    }

    @Test
    void theClientChecksOurServerSignature() throws Exception {
        // Guards the positive tests above: they pass only because the client verified v=.
        ScramMechanism m = ScramMechanism.SHA_256;
        ScramClient client = client(List.of(m.saslName()), "pencil", null);
        ScramServer server = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM);
        server.receiveClientFirst(client.clientFirstMessage().toString().getBytes(UTF_8));
        client.serverFirstMessage(new String(server.serverFirst(USER.get(m)), UTF_8));
        String serverFinal = new String(server.receiveClientFinal(
                client.clientFinalMessage().toString().getBytes(UTF_8)), UTF_8);
        byte[] signature = Base64.getDecoder().decode(serverFinal.substring(2));
        signature[0] ^= 1;
        assertThatThrownBy(() -> client.serverFinalMessage("v=" + Base64.getEncoder().encodeToString(signature)))
                .isInstanceOf(ScramInvalidServerSignatureException.class);
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void unknownUserLooksLikeAKnownOneThenFails(ScramMechanism m) throws Exception {
        byte[] secret = "cluster-wide-secret".getBytes(UTF_8);
        Pattern shape = Pattern.compile("r=[!-+--~]+,s=[A-Za-z0-9+/]{22}==,i=4096");

        ScramServer known = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM, secret, ITERATIONS);
        known.receiveClientFirst("n,,n=user,r=abc".getBytes(UTF_8));
        String knownFirst = new String(known.serverFirst(USER.get(m)), UTF_8);

        List<String> unknownFirsts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ScramServer unknown = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM, secret, ITERATIONS);
            unknown.receiveClientFirst("n,,n=nobody,r=abc".getBytes(UTF_8));
            unknownFirsts.add(new String(unknown.serverFirst(null), UTF_8));
        }
        ScramServer other = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM, secret, ITERATIONS);
        other.receiveClientFirst("n,,n=somebody,r=abc".getBytes(UTF_8));
        String otherFirst = new String(other.serverFirst(null), UTF_8);

        assertThat(knownFirst).matches(shape);
        assertThat(unknownFirsts).allSatisfy(s -> assertThat(s).matches(shape).hasSameSizeAs(knownFirst));
        assertThat(salt(unknownFirsts.get(0))).isEqualTo(salt(unknownFirsts.get(1)));
        assertThat(salt(otherFirst)).isNotEqualTo(salt(unknownFirsts.get(0)));

        // The client can run the whole exchange; only the end fails, like a wrong password.
        ScramClient client = client(List.of(m.saslName()), "pencil", null);
        ScramServer server = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM, secret, ITERATIONS);
        assertThatThrownBy(() -> run(client, server, null))
                .isInstanceOf(SaslException.class)
                .hasMessage("wrong username or password")
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
    }

    private static String salt(String serverFirst) {
        return serverFirst.split(",")[1];
    }

    @Test
    void downgradeFlagYIsRejectedWhenPlusWasOffered() throws Exception {
        // The client supports channel binding but was shown no -PLUS mechanism: it sends 'y'.
        ScramClient client = client(List.of("SCRAM-SHA-256"), "pencil", CB_DATA);
        String clientFirst = client.clientFirstMessage().toString();
        assertThat(clientFirst).startsWith("y,,");

        ScramServer offeredPlus = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, true, RANDOM);
        assertThatThrownBy(() -> offeredPlus.receiveClientFirst(clientFirst.getBytes(UTF_8)))
                .isInstanceOf(SaslException.class)
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);

        // Without TLS channel-binding data on our side, 'y' is an honest answer and succeeds.
        ScramServer noPlus = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, false, RANDOM);
        assertThat(run(client, clientFirst, noPlus, USER.get(ScramMechanism.SHA_256)).isSucceeded()).isTrue();
    }

    @Test
    void authzidIsReportedForTheCallerToCheck() throws Exception {
        ScramServer same = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, false, RANDOM);
        ScramClient client = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256")).username("user")
                .password("pencil".toCharArray()).authzid("User").build();
        assertThat(run(client, same, USER.get(ScramMechanism.SHA_256)).authzid()).isEqualTo("User");

        ScramServer other = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, false, RANDOM);
        other.receiveClientFirst("n,a=admin@localhost,n=user,r=abc".getBytes(UTF_8));
        assertThat(other.authzid()).isEqualTo("admin@localhost");
    }

    @Test
    void saslnameEscapesAreDecoded() throws Exception {
        ScramServer server = new ScramServer(ScramMechanism.SHA_1, false, CB_BY_TYPE, false, RANDOM);
        assertThat(server.receiveClientFirst("n,,n=a=2Cb=3Dc,r=xyz".getBytes(UTF_8))).isEqualTo("a,b=c");
        assertThat(server.username()).isEqualTo("a,b=c");
    }

    @Test
    void replayedClientFinalFailsOnANewExchange() throws Exception {
        ScramMechanism m = ScramMechanism.SHA_256;
        ScramClient client = client(List.of(m.saslName()), "pencil", null);
        String clientFirst = client.clientFirstMessage().toString();
        ScramServer first = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM);
        first.receiveClientFirst(clientFirst.getBytes(UTF_8));
        client.serverFirstMessage(new String(first.serverFirst(USER.get(m)), UTF_8));
        byte[] clientFinal = client.clientFinalMessage().toString().getBytes(UTF_8);
        first.receiveClientFinal(clientFinal);

        ScramServer replay = new ScramServer(m, false, CB_BY_TYPE, false, RANDOM);
        replay.receiveClientFirst(clientFirst.getBytes(UTF_8));
        replay.serverFirst(USER.get(m));
        assertThatThrownBy(() -> replay.receiveClientFinal(clientFinal))
                .isInstanceOf(SaslException.class)
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
    }

    @Test
    void stepsOutOfOrderAreProgrammingErrors() throws Exception {
        ScramServer server = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, false, RANDOM);
        assertThatThrownBy(() -> server.serverFirst(null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.receiveClientFinal(new byte[] {'x'})).isInstanceOf(IllegalStateException.class);
        server.receiveClientFirst("n,,n=user,r=abc".getBytes(UTF_8));
        assertThatThrownBy(() -> server.receiveClientFirst("n,,n=user,r=abc".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.serverFirst(USER.get(ScramMechanism.SHA_1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedExchangeCannotBeContinued() {
        ScramServer server = new ScramServer(ScramMechanism.SHA_256, false, CB_BY_TYPE, false, RANDOM);
        assertThatThrownBy(() -> server.receiveClientFirst("bogus".getBytes(UTF_8))).isInstanceOf(SaslException.class);
        assertThatThrownBy(() -> server.receiveClientFirst("n,,n=user,r=abc".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.serverFirst(null)).isInstanceOf(IllegalStateException.class);
    }
}
