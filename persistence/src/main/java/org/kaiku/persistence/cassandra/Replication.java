package org.kaiku.persistence.cassandra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A keyspace replication setting, parsed from its CQL map literal ({@code CREATE KEYSPACE ... WITH
 * replication = {...}}). Only the two strategies Cassandra ships for production are accepted:
 * SimpleStrategy with a replication_factor, NetworkTopologyStrategy with a factor per data centre.
 * The literal is parsed rather than passed through so that it can feed Pekko's journal settings
 * (which take the strategy and factors apart) and so that no text reaches CQL unchecked.
 *
 * @param strategy "SimpleStrategy" or "NetworkTopologyStrategy"
 * @param factors "replication_factor" for SimpleStrategy, else data centre name to factor
 */
public record Replication(String strategy, Map<String, Integer> factors) {

    public static final String SIMPLE = "SimpleStrategy";
    public static final String NETWORK_TOPOLOGY = "NetworkTopologyStrategy";

    private static final Pattern ENTRY = Pattern.compile("\\s*'([^']*)'\\s*:\\s*(?:'([^']*)'|(\\d+))\\s*");
    private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_.\\-]+");

    public Replication {
        factors = Map.copyOf(factors);
        if (SIMPLE.equals(strategy)) {
            if (factors.size() != 1 || !factors.containsKey("replication_factor")) {
                throw new IllegalArgumentException("SimpleStrategy takes exactly 'replication_factor'");
            }
        } else if (NETWORK_TOPOLOGY.equals(strategy)) {
            if (factors.isEmpty()) {
                throw new IllegalArgumentException("NetworkTopologyStrategy needs a factor per data centre");
            }
            for (String dc : factors.keySet()) {
                if (!DATACENTER.matcher(dc).matches() || dc.equals("replication_factor")) {
                    throw new IllegalArgumentException("not a data centre name: '" + dc + "'");
                }
            }
        } else {
            throw new IllegalArgumentException("class must be SimpleStrategy or NetworkTopologyStrategy, not " + strategy);
        }
        for (Map.Entry<String, Integer> e : factors.entrySet()) {
            if (e.getValue() < 1 || e.getValue() > 99) {
                throw new IllegalArgumentException("replication factor of '" + e.getKey() + "' must be 1..99");
            }
        }
    }

    /** Parses e.g. {@code {'class':'NetworkTopologyStrategy','dc1':3,'dc2':2}}. */
    public static Replication parse(String literal) {
        if (literal == null) {
            throw new IllegalArgumentException("no replication given");
        }
        String body = literal.trim();
        if (!body.startsWith("{") || !body.endsWith("}")) {
            throw new IllegalArgumentException("not a CQL map literal {'class': ...}: " + literal);
        }
        body = body.substring(1, body.length() - 1);
        Map<String, String> entries = new LinkedHashMap<>();
        for (String part : body.split(",", -1)) {
            Matcher m = ENTRY.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a 'key': value entry: '" + part.trim() + "' in " + literal);
            }
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            if (entries.put(m.group(1), value) != null) {
                throw new IllegalArgumentException("duplicate key '" + m.group(1) + "' in " + literal);
            }
        }
        String strategy = entries.remove("class");
        if (strategy == null) {
            throw new IllegalArgumentException("no 'class' in " + literal);
        }
        strategy = strategy.substring(strategy.lastIndexOf('.') + 1); // org.apache.cassandra.locator.X
        Map<String, Integer> factors = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            try {
                factors.put(e.getKey(), Integer.parseInt(e.getValue()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("factor of '" + e.getKey() + "' is not a number: " + e.getValue());
            }
        }
        return new Replication(strategy, factors);
    }

    /** The canonical CQL map literal, data centres sorted. */
    public String toCql() {
        String rest = factors.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> "'" + e.getKey() + "':" + e.getValue())
                .collect(Collectors.joining(","));
        return "{'class':'" + strategy + "'," + rest + "}";
    }

    /** SimpleStrategy's factor, or 1 under NetworkTopologyStrategy (where it is unused). */
    int simpleFactor() {
        return SIMPLE.equals(strategy) ? factors.get("replication_factor") : 1;
    }

    /** "dc:factor" entries as pekko-persistence-cassandra's data-center-replication-factors wants. */
    List<String> datacenterFactors() {
        if (SIMPLE.equals(strategy)) {
            return List.of();
        }
        return factors.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ":" + e.getValue())
                .toList();
    }
}
