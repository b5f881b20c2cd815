package org.kaiku.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.deploy.admin.AdminClient;
import org.kaiku.deploy.admin.AdminServer;
import org.kaiku.deploy.config.StartupException;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.auth.InMemoryCredentialStore;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;

/**
 * The admin endpoint over real HTTP on 127.0.0.1: bearer-token checks, and the {@code kaiku user}
 * commands end to end against an AccountService over an in-memory credential store.
 */
@Timeout(60)
class AdminEndpointTest {

    @TempDir
    Path dataDir;

    private InMemoryCredentialStore store;
    private AdminServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        store = new InMemoryCredentialStore();
        server = AdminServer.start(0, dataDir, new AccountService("localhost", store, 4096), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void tokenFileIsPrivateAndRemovedOnClose() throws IOException {
        Path token = dataDir.resolve("admin.token");
        assertThat(token).exists();
        assertThat(Files.readString(token).strip()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        server.close();
        assertThat(token).doesNotExist();
    }

    @Test
    void missingOrWrongTokenIsRejected() throws Exception {
        String token = Files.readString(dataDir.resolve("admin.token")).strip();

        HttpResponse<String> none = get("/users?domain=localhost", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        assertThat(get("/users?domain=localhost", "Bearer wrong-" + token).statusCode()).isEqualTo(401);
        assertThat(get("/users?domain=localhost", "Bearer " + token.substring(1)).statusCode()).isEqualTo(401);
        assertThat(get("/users?domain=localhost", "Basic " + token).statusCode()).isEqualTo(401);
        // unknown paths are not revealed to a caller without the token either
        assertThat(get("/nowhere", null).statusCode()).isEqualTo(401);

        HttpResponse<String> ok = get("/users?domain=localhost", "Bearer " + token);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"users\":[]");

        assertThat(AdminClient.withToken(server.port(), "not-the-token").listUsers("localhost").status()).isEqualTo(401);
    }

    @Test
    void userCommandsCreateChangeListAndDelete() throws Exception {
        CliRun add = user("add", "alice@localhost", "secret");
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).isEqualTo("alice@localhost: created" + System.lineSeparator());
        assertThat(sha256("alice").verifyPassword("secret")).isTrue();

        CliRun again = user("add", "alice@localhost", "other");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("kaiku: alice@localhost: already exists" + System.lineSeparator());
        assertThat(sha256("alice").verifyPassword("secret")).as("existing account untouched").isTrue();

        assertThat(user("add", "bob@localhost", "hunter2").exitCode()).isZero();

        CliRun passwd = user("passwd", "alice@localhost", "n3w-pass");
        assertThat(passwd.exitCode()).as(passwd.err()).isZero();
        assertThat(passwd.out()).contains("alice@localhost: password changed");
        assertThat(sha256("alice").verifyPassword("n3w-pass")).isTrue();
        assertThat(sha256("alice").verifyPassword("secret")).isFalse();

        CliRun list = user("list", "localhost");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines().toList()).containsExactly("alice@localhost", "bob@localhost");

        CliRun del = user("del", "alice@localhost");
        assertThat(del.exitCode()).isZero();
        assertThat(del.out()).contains("alice@localhost: deleted");
        assertThat(store.list("localhost").toCompletableFuture().get()).containsExactly("bob");
        assertThat(user("list", "localhost").out().lines().toList()).containsExactly("bob@localhost");
    }

    @Test
    void anAccountIsDisabledEnabledAndKicked() throws Exception {
        assertThat(user("add", "carol@localhost", "secret").exitCode()).isZero();
        CliRun disable = user("disable", "carol@localhost");
        assertThat(disable.exitCode()).as(disable.err()).isZero();
        assertThat(disable.out()).isEqualTo("carol@localhost: disabled" + System.lineSeparator());
        assertThat(store.account("localhost", "carol").toCompletableFuture().get().disabled()).isTrue();
        assertThat(sha256("carol").verifyPassword("secret")).as("nothing erased").isTrue();

        CliRun enable = user("enable", "carol@localhost");
        assertThat(enable.exitCode()).as(enable.err()).isZero();
        assertThat(store.account("localhost", "carol").toCompletableFuture().get().disabled()).isFalse();

        CliRun kick = user("kick", "carol@localhost");
        assertThat(kick.exitCode()).as(kick.err()).isZero();
        assertThat(kick.out()).contains("carol@localhost: sessions ended");

        for (String sub : new String[] {"disable", "enable", "kick"}) {
            CliRun ghost = user(sub, "ghost@localhost");
            assertThat(ghost.exitCode()).as(sub).isEqualTo(1);
            assertThat(ghost.err()).as(sub).startsWith("kaiku: ghost@localhost: no such user");
        }
        assertThat(user("disable", "not a jid").exitCode()).isEqualTo(2);
    }

    @Test
    void missingAccountsAreNotFound() {
        CliRun passwd = user("passwd", "ghost@localhost", "x");
        assertThat(passwd.exitCode()).isEqualTo(1);
        assertThat(passwd.err()).startsWith("kaiku: ghost@localhost: no such user");

        CliRun del = user("del", "ghost@localhost");
        assertThat(del.exitCode()).isEqualTo(1);
        assertThat(del.err()).startsWith("kaiku: ghost@localhost: no such user");
    }

    @Test
    void badJidsAndForeignDomainsAreUsageErrors() {
        CliRun malformed = user("add", "al ice@@localhost", "pw");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("kaiku: al ice@@localhost: ");

        CliRun foreign = user("add", "carol@example.org", "pw");
        assertThat(foreign.exitCode()).isEqualTo(2);
        assertThat(foreign.err()).startsWith("kaiku: carol@example.org: ").contains("localhost");

        CliRun withResource = user("add", "dave@localhost/phone", "pw");
        assertThat(withResource.exitCode()).isEqualTo(2);

        CliRun listForeign = user("list", "example.org");
        assertThat(listForeign.exitCode()).isEqualTo(2);
        assertThat(store.list("localhost").toCompletableFuture().join()).isEmpty();
    }

    @Test
    void localpartWithPlusSignSurvivesTheUrl() throws Exception {
        assertThat(user("add", "a+b@localhost", "pw").exitCode()).isZero();
        assertThat(user("passwd", "a+b@localhost", "pw2").exitCode()).isZero();
        assertThat(store.credentials("localhost", "a+b").toCompletableFuture().get()
                .get(ScramMechanism.SHA_256).verifyPassword("pw2")).isTrue();
        assertThat(user("del", "a+b@localhost").exitCode()).isZero();
    }

    @Test
    void malformedRequestsGetTypedAnswers() throws Exception {
        String token = "Bearer " + Files.readString(dataDir.resolve("admin.token")).strip();
        assertThat(send("POST", "/users", "{not json", token).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/users", "[1,2]", token).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/users", "{\"jid\":\"x@localhost\"}", token).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/users", "{\"jid\":\"x@localhost\",\"password\":\"\"}", token).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/users", "{\"jid\":\"x@localhost\",\"password\":\"" + "p".repeat(70_000) + "\"}", token)
                .statusCode()).isEqualTo(400);
        assertThat(get("/users", token).statusCode()).isEqualTo(400);
        assertThat(send("PATCH", "/users", "{}", token).statusCode()).isEqualTo(405);
        assertThat(get("/nowhere", token).statusCode()).isEqualTo(404);
        assertThat(store.list("localhost").toCompletableFuture().get()).isEmpty();
    }

    @Test
    void serverNotRunningIsAClearRuntimeError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        CliRun run = CliRun.of("user", "list", "localhost", "--admin-port", String.valueOf(closedPort),
                "--data-dir", dataDir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("kaiku: no Kaiku server answers on 127.0.0.1:" + closedPort);

        Path empty = dataDir.resolve("elsewhere");
        CliRun noToken = CliRun.of("user", "list", "localhost", "--admin-port", String.valueOf(server.port()),
                "--data-dir", empty.toString());
        assertThat(noToken.exitCode()).isEqualTo(1);
        assertThat(noToken.err()).startsWith("kaiku: no " + empty.resolve("admin.token"));
    }

    @Test
    void staleTokenIsReportedAsRejected() throws IOException {
        Path other = dataDir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("admin.token"), "stale-token\n", StandardCharsets.US_ASCII);
        CliRun run = CliRun.of("user", "list", "localhost", "--admin-port", String.valueOf(server.port()),
                "--data-dir", other.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("kaiku: kaiku.admin.port: the server on port " + server.port() + " rejected the token");
    }

    @Test
    void secondServerOnTheSamePortFailsNamingTheKey() {
        Path otherDir = dataDir.resolve("second");
        StartupException e = catchThrowableOfType(StartupException.class,
                () -> AdminServer.start(server.port(), otherDir, new AccountService("localhost", store, 4096), Duration.ofSeconds(1)));
        assertThat(e.line()).isEqualTo("kaiku: kaiku.admin.port: port " + server.port() + " is in use");
        assertThat(e.usage()).isFalse();
        assertThat(otherDir.resolve("admin.token")).doesNotExist();
    }

    private CliRun user(String... args) {
        List<String> all = new ArrayList<>(List.of("user"));
        all.addAll(List.of(args));
        all.addAll(List.of("--admin-port", String.valueOf(server.port()), "--data-dir", dataDir.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private ScramCredential sha256(String user) throws Exception {
        Map<ScramMechanism, ScramCredential> creds = store.credentials("localhost", user).toCompletableFuture().get();
        assertThat(creds).containsKeys(ScramMechanism.SHA_1, ScramMechanism.SHA_256, ScramMechanism.SHA_512);
        return creds.get(ScramMechanism.SHA_256);
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return send("GET", path, null, authorization);
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
