package org.kaiku.deploy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's side of {@link AdminServer}: one request per call to 127.0.0.1, authenticated with
 * the token the running server wrote to its data dir.
 */
public final class AdminClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final int port;
    private final AdminToken token;
    private final HttpClient http;

    private AdminClient(int port, AdminToken token) {
        this.port = port;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * A client for the server whose data dir is {@code dataDir}.
     *
     * @throws Unavailable when that data dir has no token, i.e. no server runs with it
     */
    public static AdminClient forDataDir(int port, Path dataDir) throws Unavailable {
        try {
            return new AdminClient(port, AdminToken.read(dataDir));
        } catch (NoSuchFileException e) {
            throw new Unavailable("no " + AdminToken.file(dataDir) + ": is a Kaiku server running with --data-dir "
                    + dataDir + "? (start it with `kaiku run`)");
        } catch (IOException e) {
            throw new Unavailable("cannot read " + AdminToken.file(dataDir) + ": " + e.getMessage());
        }
    }

    /** A client with an explicit token value (tests, scripts). */
    public static AdminClient withToken(int port, String token) {
        return new AdminClient(port, AdminToken.of(token));
    }

    public Response addUser(String jid, String password) throws Unavailable {
        ObjectNode body = AdminServer.JSON.createObjectNode().put("jid", jid).put("password", password);
        return send("POST", "/users", body);
    }

    public Response changePassword(String jid, String password) throws Unavailable {
        ObjectNode body = AdminServer.JSON.createObjectNode().put("password", password);
        return send("PUT", "/users/" + encode(jid) + "/password", body);
    }

    public Response deleteUser(String jid) throws Unavailable {
        return send("DELETE", "/users/" + encode(jid), null);
    }

    public Response setDisabled(String jid, boolean disabled) throws Unavailable {
        return send("PUT", "/users/" + encode(jid) + "/disabled", AdminServer.JSON.createObjectNode().put("disabled", disabled));
    }

    public Response endSessions(String jid) throws Unavailable {
        return send("DELETE", "/users/" + encode(jid) + "/sessions", null);
    }

    public Response listUsers(String domain) throws Unavailable {
        return send("GET", "/users?domain=" + encode(domain), null);
    }

    /** This server's memory figures (see {@link AdminServer}); {@code gc} first asks for a full GC. */
    /** {@code GET /status}: uptime, connections, storage state (see {@link NodeStatus}). */
    public Response status() throws Unavailable {
        return send("GET", "/status", null);
    }

    public Response stats(boolean gc) throws Unavailable {
        return send("GET", "/stats" + (gc ? "?gc=true" : ""), null);
    }

    private Response send(String method, String pathAndQuery, JsonNode body) throws Unavailable {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(AdminServer.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token.value())
                .header("Content-Type", "application/json")
                .method(method, publisher)
                .build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json;
            try {
                json = AdminServer.JSON.readTree(response.body());
            } catch (IOException e) {
                json = null;
            }
            return new Response(response.statusCode(), json == null || json.isMissingNode() ? AdminServer.JSON.createObjectNode() : json);
        } catch (ConnectException e) {
            throw new Unavailable("no Kaiku server answers on 127.0.0.1:" + port + " (is `kaiku run` running? is --admin-port right?)");
        } catch (HttpTimeoutException e) {
            throw new Unavailable("the server on 127.0.0.1:" + port + " did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new Unavailable("admin request to 127.0.0.1:" + port + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An answer of the admin endpoint: HTTP status and JSON body ({@code {}} when none). */
    public record Response(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The {@code error} field of a failure, or a generic text. */
        public String error() {
            JsonNode e = body.get("error");
            return e != null && e.isTextual() ? e.asText() : "HTTP " + status;
        }

        /** The {@code users} array of a list answer. */
        public List<String> users() {
            List<String> out = new ArrayList<>();
            JsonNode users = body.get("users");
            if (users != null) {
                users.forEach(u -> out.add(u.asText()));
            }
            return out;
        }
    }

    /** The server cannot be reached or administered (not running, no token, timeout). */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }
}
