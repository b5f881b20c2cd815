package org.kaiku.protocol.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.StringPreparation;
import org.kaiku.protocol.sasl.SaslException;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;
import org.kaiku.protocol.sasl.ScramServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Authentications per second, server side, for an account stored with SCRAM-SHA-256 keys at
 * 4096 iterations (RFC 5802, RFC 7677).
 *
 * <p>{@link #scramSha256Exchange}: one whole {@link ScramServer} exchange (client-first,
 * server-first with a fresh nonce, client-final with proof check and server signature). The
 * client's ClientKey and StoredKey are derived once in setup; per operation the client side
 * costs one HMAC (its proof over the new nonce), which is included. The server never runs Hi()
 * here: the iteration count only travels in server-first.
 *
 * <p>{@link #plainVerify}: {@link ScramCredential#verifyPassword}, what a SASL PLAIN login costs
 * against the same stored keys: PRECIS OpaqueString plus PBKDF2-HMAC-SHA-256 at 4096 iterations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScramBenchmark {
    private static final ScramMechanism MECHANISM = ScramMechanism.SHA_256;
    private static final com.ongres.scram.common.ScramMechanism PRIMITIVES =
            com.ongres.scram.common.ScramMechanism.SCRAM_SHA_256;
    private static final int ITERATIONS = 4096;

    public String password = "pencil";

    private final SecureRandom random = new SecureRandom();
    private ScramCredential credential;
    private byte[] clientKey;
    private byte[] storedKey;
    private byte[] clientFirst;
    private String clientFirstBare;

    @Setup
    public void prepare() {
        byte[] salt = new byte[ScramCredential.SALT_LENGTH];
        random.nextBytes(salt);
        credential = ScramCredential.derive(MECHANISM, password, salt, ITERATIONS);
        byte[] salted = ScramFunctions.saltedPassword(PRIMITIVES, StringPreparation.NO_PREPARATION,
                password.toCharArray(), salt, ITERATIONS);
        clientKey = ScramFunctions.clientKey(PRIMITIVES, salted);
        storedKey = ScramFunctions.storedKey(PRIMITIVES, clientKey);
        if (!MessageDigest.isEqual(storedKey, credential.storedKey())) {
            throw new IllegalStateException("client and server derive different keys");
        }
        clientFirstBare = "n=juliet,r=" + ScramFunctions.nonce(24, random);
        clientFirst = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public byte[] scramSha256Exchange() throws SaslException {
        ScramServer server = new ScramServer(MECHANISM, false, type -> null, false, random);
        server.receiveClientFirst(clientFirst);
        String serverFirst = new String(server.serverFirst(credential), StandardCharsets.UTF_8);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String withoutProof = "c=biws,r=" + nonce; // biws = base64("n,,")
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] proof = ScramFunctions.clientProof(clientKey,
                ScramFunctions.clientSignature(PRIMITIVES, storedKey, authMessage));
        String clientFinal = withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        byte[] serverFinal = server.receiveClientFinal(clientFinal.getBytes(StandardCharsets.UTF_8));
        if (!server.isSucceeded()) {
            throw new IllegalStateException("exchange failed");
        }
        return serverFinal;
    }

    @Benchmark
    public boolean plainVerify() {
        if (!credential.verifyPassword(password)) {
            throw new IllegalStateException("password refused");
        }
        return true;
    }
}
