package org.kaiku.engine.module;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The compliance table of the README, made from the {@link Xep} annotations of the loaded
 * modules so it cannot drift from what the server does. A test keeps README.md equal to it.
 */
public final class ComplianceTable {
    public static final String START = "<!-- compliance:start (generated from the module registry; see ComplianceTable) -->";
    public static final String END = "<!-- compliance:end -->";

    private ComplianceTable() {
    }

    public static String markdown(ModuleRegistry registry) {
        record Row(Xep xep, String module) {
        }
        List<Row> rows = new ArrayList<>();
        for (XmppModule m : registry.modules()) {
            for (Xep x : m.getClass().getAnnotationsByType(Xep.class)) {
                rows.add(new Row(x, m.getClass().getSimpleName()));
            }
        }
        rows.sort(Comparator.comparingInt(r -> r.xep().number()));
        StringBuilder sb = new StringBuilder();
        sb.append(START).append('\n');
        sb.append("| Specification | Version | Status | Module | Notes |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| XEP-%04d | %s | %s | %s | %s |%n", r.xep().number(), r.xep().version(),
                    r.xep().status().name().toLowerCase(Locale.ROOT), r.module(), r.xep().note()));
        }
        sb.append(END).append('\n');
        return sb.toString();
    }

    /** Prints the table, for pasting into README.md. */
    public static void main(String[] args) {
        System.out.print(markdown(ModuleRegistry.load("localhost", "Kaiku", "dev")));
    }
}
