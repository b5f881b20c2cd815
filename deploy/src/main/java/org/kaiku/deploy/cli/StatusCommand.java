package org.kaiku.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import org.kaiku.deploy.admin.AdminClient;
import picocli.CommandLine.Command;

/**
 * {@code kaiku status}: the running node's state from its admin endpoint ({@code GET /status},
 * see {@link org.kaiku.deploy.admin.NodeStatus}): uptime, client connections, whether Cassandra
 * is reachable (since when not, the last error, how it retries), the archive writes waiting
 * for a retry, and the cluster as this node sees it: each member's state, reachability and roles
 * and the account shards and entities it hosts (client connections are per node: ask each node). The exit code lets scripts and health checks act on it.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the running server's state: uptime, connections, storage (Cassandra) up or down.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:storage is up",
                "1:the server could not be asked (not running, wrong --admin-port or --data-dir)",
                "2:bad usage",
                StatusCommand.STORAGE_DOWN + ":the server runs but its storage (Cassandra) is down"})
public final class StatusCommand extends UserCommand.AdminCommand {
    /** Exit code when the server answers and reports storage down. */
    static final int STORAGE_DOWN = 3;

    @Override
    public Integer call() {
        AdminClient.Response response;
        try {
            response = client().status();
        } catch (AdminClient.Unavailable e) {
            throw new CommandFailure(null, e.getMessage(), CommandFailure.RUNTIME);
        }
        if (response.status() != 200) {
            return answer(response);
        }
        JsonNode body = response.body();
        JsonNode storage = body.path("storage");
        boolean up = "up".equals(storage.path("state").asText());
        PrintWriter out = spec.commandLine().getOut();
        out.println("uptime:      " + duration(body.path("uptime_seconds").asLong()) + " (since " + body.path("started_at").asText() + ")");
        out.println("connections: " + body.path("connections").asInt());
        if (up) {
            out.println("storage:     up");
        } else {
            out.println("storage:     DOWN since " + storage.path("down_since").asText() + " ("
                    + duration(storage.path("down_seconds").asLong()) + ")");
            out.println("  retrying:  every " + storage.path("retry_every_ms").asLong() + " ms ("
                    + storage.path("failed_probes").asLong() + " failed probes); refusing work that needs"
                    + " storage with wait/resource-constraint");
        }
        if (storage.hasNonNull("last_error")) {
            out.println("  last error: " + storage.path("last_error").asText() + " (at " + storage.path("last_error_at").asText() + ")");
        }
        out.println("  failed writes since start: " + storage.path("failed_writes").asLong());
        JsonNode archive = body.path("archive");
        out.println("archive:     " + archive.path("pending_retries").asLong() + " writes waiting for a retry, "
                + archive.path("lost").asLong() + " lost");
        printCluster(out, body.path("cluster"), body.path("connections").asInt());
        out.flush();
        return up ? 0 : STORAGE_DOWN;
    }

    /**
     * One line per member: address, state, reachability, roles, account shards and entities, the
     * accounts with a session bound there ("online"), and for the other entity types (MUC rooms)
     * entities/shards.
     */
    private static void printCluster(PrintWriter out, JsonNode cluster, int connections) {
        if (cluster.isMissingNode()) {
            return;
        }
        out.println("cluster:     " + cluster.path("members").size() + " members, leader " + cluster.path("leader").asText("none")
                + (cluster.path("sharding_complete").asBoolean() ? "" : " (shard counts incomplete: a node did not answer)"));
        for (JsonNode m : cluster.path("members")) {
            StringBuilder line = new StringBuilder("  ").append(m.path("address").asText())
                    .append("  ").append(m.path("status").asText())
                    .append(m.path("reachable").asBoolean() ? "" : " UNREACHABLE");
            java.util.List<String> roles = new java.util.ArrayList<>();
            m.path("roles").forEach(r -> roles.add(r.asText()));
            line.append("  roles ").append(String.join(",", roles));
            if (m.has("account_shards")) {
                line.append("  shards ").append(m.path("account_shards").asInt())
                        .append(" accounts ").append(m.path("account_entities").asInt());
            }
            if (m.has("accounts_online")) {
                line.append("  online ").append(m.path("accounts_online").asInt());
            }
            m.path("sharding").fields().forEachRemaining(type -> {
                if (!type.getKey().equals("user")) {
                    line.append("  ").append(type.getKey()).append(' ').append(type.getValue().path("entities").asInt())
                            .append('/').append(type.getValue().path("shards").asInt());
                }
            });
            if (m.path("self").asBoolean()) {
                line.append("  (this node: ").append(connections).append(" client connections)");
            }
            out.println(line);
        }
    }

    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? h + "h " + m + "m " + s + "s" : m > 0 ? m + "m " + s + "s" : s + "s";
    }

    @Override
    AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
        return client.status();
    }

    @Override
    String done(AdminClient.Response response) {
        return "";
    }

    @Override
    String subject() {
        return "status";
    }
}
