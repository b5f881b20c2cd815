package org.kaiku.deploy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.deploy.config.StartupException;
import org.kaiku.engine.auth.AccountService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoint for accounts, bound to 127.0.0.1 only and guarded by a bearer
 * token (RFC 6750 section 2.1) written to {@code <data-dir>/admin.token}. XMPP's own in-band
 * registration (XEP-0077) stays off; this is how accounts are made.
 *
 * <pre>
 * POST   /users                 {"jid":"a@d","password":"p"}  201 created | 409 exists
 * PUT    /users/{jid}/password  {"password":"p"}              200 | 404 no such user
 * DELETE /users/{jid}                                         200 | 404 no such user
 * GET    /users?domain=d                                      200 {"domain":"d","users":[...]}
 * GET    /stats[?gc=true]                                     200 {"heap_used_bytes":...}
 * GET    /status                                              200 {"uptime_seconds":...,"storage":{"state":"up"},...}
 * </pre>
 * {@code /status} is {@link NodeStatus}: uptime, connections, storage up/down (200 either way:
 * the endpoint answered; the CLI turns "down" into its exit code).
 * {@code /stats} reports this JVM's memory for the load tool ({@code kaiku bench idle}): heap
 * used and committed, direct and mapped buffer pools, and the process's resident set from
 * {@code /proc/self/status}; with {@code gc=true} it first asks for a full collection
 * ({@link System#gc()}), so that heap figures count live objects rather than garbage.
 * Every answer is JSON; failures carry {@code {"error": "..."}}. A missing or wrong token is
 * 401, a malformed JID, a domain this server does not serve or a bad body 400.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 64 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final ExecutorService executor;
    private final AccountService accounts;
    private final AdminToken token;
    private final Path dataDir;
    private final Duration timeout;
    private final NodeStatus status;

    private AdminServer(HttpServer http, ExecutorService executor, AccountService accounts, AdminToken token,
                        Path dataDir, Duration timeout, NodeStatus status) {
        this.status = status;
        this.http = http;
        this.executor = executor;
        this.accounts = accounts;
        this.token = token;
        this.dataDir = dataDir;
        this.timeout = timeout;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 = a free port), writes a new token file, and serves.
     *
     * @throws StartupException naming {@code kaiku.admin.port} when the port is taken, or
     *                          {@code kaiku.data-dir} when the token cannot be written
     */
    public static AdminServer start(int port, Path dataDir, AccountService accounts, Duration timeout) {
        return start(port, dataDir, accounts, timeout, NodeStatus.minimal());
    }

    /** As above, answering {@code GET /status} from {@code status}. */
    public static AdminServer start(int port, Path dataDir, AccountService accounts, Duration timeout, NodeStatus status) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (BindException e) {
            throw StartupException.runtime(DeploySettings.ADMIN_PORT, "port " + port + " is in use", e);
        } catch (IOException e) {
            throw StartupException.runtime(DeploySettings.ADMIN_PORT, "cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        AdminToken token = AdminToken.random();
        try {
            token.write(dataDir);
        } catch (IOException e) {
            http.stop(0);
            throw StartupException.runtime("kaiku.data-dir", "cannot write " + AdminToken.file(dataDir) + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kaiku-admin");
            t.setDaemon(true);
            return t;
        });
        AdminServer server = new AdminServer(http, executor, accounts, token, dataDir, timeout, status);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        LOG.info("admin endpoint on http://127.0.0.1:{} (token in {})", server.port(), AdminToken.file(dataDir));
        return server;
    }

    /** The port actually bound. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Stops serving and removes the token file. Idempotent. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        token.deleteIfOurs(dataDir);
    }

    private void handle(HttpExchange exchange) {
        try {
            Reply reply;
            try {
                reply = authorized(exchange) ? route(exchange) : unauthorized();
            } catch (BadRequest e) {
                reply = Reply.error(400, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                reply = Reply.error(500, "internal error: " + e);
            }
            send(exchange, reply);
        } catch (IOException e) {
            LOG.debug("admin client went away", e);
        } finally {
            exchange.close();
        }
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return token.matches(header.substring(7).strip());
    }

    private Reply unauthorized() {
        Reply r = Reply.error(401, "missing or wrong bearer token (see " + AdminToken.file(dataDir) + ")");
        return r.withHeader("WWW-Authenticate", "Bearer realm=\"kaiku-admin\"");
    }

    private Reply route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> parts = segments(exchange.getRequestURI().getRawPath());
        if (parts.size() == 1 && parts.get(0).equals("users")) {
            switch (method) {
                case "GET":
                    return list(query(exchange.getRequestURI().getRawQuery(), "domain"));
                case "POST": {
                    JsonNode body = body(exchange);
                    return add(text(body, "jid"), text(body, "password"));
                }
                default:
                    return Reply.error(405, method + " not allowed on /users").withHeader("Allow", "GET, POST");
            }
        }
        if (parts.size() == 1 && parts.get(0).equals("stats")) {
            if (!method.equals("GET")) {
                return Reply.error(405, method + " not allowed on /stats").withHeader("Allow", "GET");
            }
            String raw = exchange.getRequestURI().getRawQuery();
            return Reply.json(200, MemoryStats.snapshot(raw != null && raw.contains("gc=true")));
        }
        if (parts.size() == 1 && parts.get(0).equals("status")) {
            if (!method.equals("GET")) {
                return Reply.error(405, method + " not allowed on /status").withHeader("Allow", "GET");
            }
            return Reply.json(200, status.toJson());
        }
        if (parts.size() == 2 && parts.get(0).equals("users")) {
            if (!method.equals("DELETE")) {
                return Reply.error(405, method + " not allowed on /users/{jid}").withHeader("Allow", "DELETE");
            }
            return delete(parts.get(1));
        }
        if (parts.size() == 3 && parts.get(0).equals("users") && parts.get(2).equals("disabled")) {
            // XEP-0133 disable-user / reenable-user for operators: PUT {"disabled": true|false}
            if (!method.equals("PUT")) {
                return Reply.error(405, method + " not allowed on /users/{jid}/disabled").withHeader("Allow", "PUT");
            }
            JsonNode body = body(exchange);
            JsonNode flag = body == null ? null : body.get("disabled");
            if (flag == null || !flag.isBoolean()) {
                return Reply.error(400, "body must be {\"disabled\": true} or {\"disabled\": false}");
            }
            String jid = parts.get(1);
            return await(() -> flag.booleanValue() ? accounts.disable(jid) : accounts.enable(jid))
                    ? Reply.json(200, jidNode(jid).put("disabled", flag.booleanValue())) : Reply.error(404, "no such user");
        }
        if (parts.size() == 3 && parts.get(0).equals("users") && parts.get(2).equals("sessions")) {
            // XEP-0133 end-user-session for operators
            if (!method.equals("DELETE")) {
                return Reply.error(405, method + " not allowed on /users/{jid}/sessions").withHeader("Allow", "DELETE");
            }
            String jid = parts.get(1);
            return await(() -> accounts.endSessions(jid)) ? Reply.json(200, jidNode(jid)) : Reply.error(404, "no such user");
        }
        if (parts.size() == 3 && parts.get(0).equals("users") && parts.get(2).equals("password")) {
            if (!method.equals("PUT")) {
                return Reply.error(405, method + " not allowed on /users/{jid}/password").withHeader("Allow", "PUT");
            }
            return changePassword(parts.get(1), text(body(exchange), "password"));
        }
        return Reply.error(404, "no such endpoint: " + exchange.getRequestURI().getPath());
    }

    private Reply add(String jid, String password) {
        return await(() -> accounts.add(jid, password)) ? Reply.json(201, jidNode(jid)) : Reply.error(409, "already exists");
    }

    private Reply changePassword(String jid, String password) {
        return await(() -> accounts.changePassword(jid, password)) ? Reply.json(200, jidNode(jid)) : Reply.error(404, "no such user");
    }

    private Reply delete(String jid) {
        return await(() -> accounts.delete(jid)) ? Reply.json(200, jidNode(jid)) : Reply.error(404, "no such user");
    }

    private Reply list(String domain) {
        List<String> users = await(() -> accounts.list(domain));
        ObjectNode node = JSON.createObjectNode().put("domain", domain);
        users.forEach(node.putArray("users")::add);
        return Reply.json(200, node);
    }

    /** Waits for the account store; IllegalArgumentException (bad JID or foreign domain) is a 400. */
    private <T> T await(Supplier<CompletionStage<T>> call) {
        try {
            return call.get().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IllegalArgumentException) {
                throw new BadRequest(cause.getMessage());
            }
            throw new IllegalStateException("account store failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("account store did not answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static ObjectNode jidNode(String jid) {
        return JSON.createObjectNode().put("jid", jid);
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new BadRequest("request body larger than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BadRequest("request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRequest("request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new BadRequest("field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    private static String query(String rawQuery, String name) {
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && decode(pair.substring(0, eq)).equals(name) && eq < pair.length() - 1) {
                    return decode(pair.substring(eq + 1));
                }
            }
        }
        throw new BadRequest("query parameter '" + name + "' is required");
    }

    private static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty()).map(AdminServer::decode).toList();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("bad percent-encoding in '" + s + "'");
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (reply.headerName() != null) {
            exchange.getResponseHeaders().set(reply.headerName(), reply.headerValue());
        }
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An HTTP answer: status, JSON body, at most one extra header. */
    private record Reply(int status, JsonNode body, String headerName, String headerValue) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, body, null, null);
        }

        static Reply error(int status, String message) {
            return json(status, JSON.createObjectNode().put("error", message));
        }

        Reply withHeader(String name, String value) {
            return new Reply(status, body, name, value);
        }
    }

    /** A request this endpoint cannot act on: 400 with the reason. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message == null ? "bad request" : message);
        }
    }
}
