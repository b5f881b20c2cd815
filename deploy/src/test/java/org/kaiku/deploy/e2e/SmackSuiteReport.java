package org.kaiku.deploy.e2e;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.igniterealtime.smack.inttest.AbstractSmackIntTest;
import org.igniterealtime.smack.inttest.FailedTest;
import org.igniterealtime.smack.inttest.SmackIntegrationTestFramework;
import org.igniterealtime.smack.inttest.SuccessfulTest;
import org.igniterealtime.smack.inttest.TestNotPossible;
import org.igniterealtime.smack.inttest.annotations.SmackIntegrationTest;
import org.igniterealtime.smack.inttest.annotations.SpecificationReference;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * One run of Smack's integration test suite set beside what Kaiku claims: the specifications of
 * the modules' {@link Xep} annotations (plus the core RFCs), each suite test's outcome, and
 * docs/compliance.md made from both. Only stable text goes into the document (no run ids, no
 * timings), so the same outcomes give the same file.
 */
final class SmackSuiteReport {
    enum Outcome { PASSED, FAILED, KNOWN_FAILURE, NOT_POSSIBLE, DISABLED }

    /** One suite test (a low-level test once per connection type it ran with). */
    record Row(String testClass, String method, String connection, String spec, boolean claimed, Outcome outcome,
               String reason, String docReason, String qualifiedClass) {
        String id() {
            return testClass + "." + method;
        }

        /** As the suite's enabledTests setting names a method. */
        String qualifiedId() {
            return qualifiedClass + "." + method;
        }
    }

    /** A specification as Kaiku states it (core RFCs have no module). */
    record Claim(String spec, String version, String status, String module, String note) {
    }

    /** The core every module builds on: claimed although no module carries an annotation for it. */
    static final List<Claim> CORE = List.of(
            new Claim("RFC 6120", "", "core", "c2s (stream negotiation, SASL, binding, stanza routing)", ""),
            new Claim("RFC 6121", "", "core", "user entity (roster, subscriptions, presence, messages)", ""));

    private final List<Row> rows;
    private final Map<String, Claim> claims;
    private final String runId;

    private SmackSuiteReport(List<Row> rows, Map<String, Claim> claims, String runId) {
        this.rows = rows;
        this.claims = claims;
        this.runId = runId;
    }

    static SmackSuiteReport of(SmackIntegrationTestFramework.TestRunResult result, ModuleRegistry registry,
                               Map<String, String> disabled, Map<String, String> knownFailures,
                               Map<String, String> unclaimedReasons, Map<String, String> unreferenced) {
        Map<String, Claim> claims = claims(registry);
        String runId = result.getTestRunId();
        List<Row> rows = new ArrayList<>();
        for (SuccessfulTest t : result.getSuccessfulTests()) {
            rows.add(row(t.concreteTest, claims, unreferenced, knownFailures, unclaimedReasons, Outcome.PASSED, "", ""));
        }
        for (FailedTest t : result.getFailedTests()) {
            rows.add(row(t.concreteTest, claims, unreferenced, knownFailures, unclaimedReasons, Outcome.FAILED,
                    describe(t.failureReason, runId), t.failureReason.getClass().getSimpleName() + " (full text in results.tsv)"));
        }
        for (TestNotPossible t : result.getNotPossibleTests()) {
            String why = describe(t.testNotPossibleException, runId);
            rows.add(row(t.concreteTest, claims, unreferenced, knownFailures, unclaimedReasons, Outcome.NOT_POSSIBLE, why, why));
        }
        for (Map.Entry<Class<? extends AbstractSmackIntTest>, Throwable> e : result.getImpossibleTestClasses().entrySet()) {
            for (Method m : testMethods(e.getKey())) {
                String spec = spec(e.getKey(), unreferenced);
                String why = "class not possible: " + describe(e.getValue(), runId);
                String doc = unclaimedReasons.getOrDefault(e.getKey().getSimpleName() + "." + m.getName(), why);
                rows.add(new Row(e.getKey().getSimpleName(), m.getName(), "", spec, claims.containsKey(spec),
                        Outcome.NOT_POSSIBLE, why, doc, e.getKey().getName()));
            }
        }
        for (Map.Entry<String, String> d : disabled.entrySet()) {
            Class<?> c = suiteClass(d.getKey());
            String spec = unreferenced.getOrDefault(d.getKey(), c == null ? "" : spec(c, unreferenced));
            for (Method m : c == null ? List.<Method>of() : testMethods(c)) {
                rows.add(new Row(d.getKey(), m.getName(), "", spec, claims.containsKey(spec), Outcome.DISABLED, d.getValue(),
                        d.getValue(), c.getName()));
            }
        }
        rows.sort(Comparator.comparing(Row::spec).thenComparing(Row::testClass).thenComparing(Row::method)
                .thenComparing(Row::connection));
        return new SmackSuiteReport(rows, claims, runId);
    }

    private static Row row(SmackIntegrationTestFramework.ConcreteTest t, Map<String, Claim> claims,
                           Map<String, String> unreferenced, Map<String, String> knownFailures,
                           Map<String, String> unclaimedReasons, Outcome outcome, String reason, String docReason) {
        Class<?> c = t.getMethod().getDeclaringClass();
        String spec = spec(c, unreferenced);
        String id = c.getSimpleName() + "." + t.getMethod().getName();
        boolean claimed = claims.containsKey(spec);
        if (claimed && knownFailures.containsKey(id)) {
            // whatever this run gave (results.tsv has it): the known failures include timing-dependent
            // ones, and the document must not change from run to run
            reason = (outcome == Outcome.PASSED ? "passed this time; " : outcome.name().toLowerCase(Locale.ROOT) + ": ") + reason;
            outcome = Outcome.KNOWN_FAILURE;
            docReason = knownFailures.get(id);
        } else if (!claimed && outcome != Outcome.PASSED && unclaimedReasons.containsKey(id)) {
            docReason = unclaimedReasons.get(id);
        }
        return new Row(c.getSimpleName(), t.getMethod().getName(), String.join(",", t.getSubdescriptons()), spec, claimed,
                outcome, reason, docReason, c.getName());
    }

    /** Claims of the loaded modules: XEP-nnnn for every annotation not merely planned, and the core RFCs. */
    static Map<String, Claim> claims(ModuleRegistry registry) {
        Map<String, Claim> claims = new TreeMap<>();
        for (Claim c : CORE) {
            claims.put(c.spec(), c);
        }
        for (XmppModule m : registry.modules()) {
            for (Xep x : m.getClass().getAnnotationsByType(Xep.class)) {
                if (x.status() == Xep.Status.PLANNED) {
                    continue;
                }
                String spec = String.format(Locale.ROOT, "XEP-%04d", x.number());
                Claim previous = claims.get(spec);
                String module = previous == null ? m.getClass().getSimpleName() : previous.module() + ", " + m.getClass().getSimpleName();
                claims.put(spec, new Claim(spec, x.version(), x.status().name().toLowerCase(Locale.ROOT), module, x.note()));
            }
        }
        return claims;
    }

    static String spec(Class<?> testClass, Map<String, String> unreferenced) {
        SpecificationReference ref = testClass.getAnnotation(SpecificationReference.class);
        if (ref == null) {
            return unreferenced.getOrDefault(testClass.getSimpleName(), "(none)");
        }
        String n = ref.document().replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (n.startsWith("RFC")) {
            return "RFC " + n.substring(3);
        }
        if (n.startsWith("XEP")) {
            return "XEP-" + n.substring(3);
        }
        return ref.document();
    }

    private static List<Method> testMethods(Class<?> c) {
        List<Method> methods = new ArrayList<>();
        for (Method m : c.getMethods()) {
            if (m.isAnnotationPresent(SmackIntegrationTest.class)) {
                methods.add(m);
            }
        }
        methods.sort(Comparator.comparing(Method::getName));
        return methods;
    }

    private static Class<?> suiteClass(String simpleName) {
        for (String pkg : List.of("org.jivesoftware.smack.c2s.", "org.jivesoftware.smack.", "org.jivesoftware.smackx.")) {
            try {
                return Class.forName(pkg + simpleName);
            } catch (ClassNotFoundException e) {
                // next package
            }
        }
        return null;
    }

    /** The failure as one line without what changes from run to run (the run id). */
    static String describe(Throwable t, String runId) {
        if (t == null) {
            return "";
        }
        Throwable shown = t;
        while (shown.getMessage() == null && shown.getCause() != null) {
            shown = shown.getCause();
        }
        String msg = shown.getMessage() == null ? "" : shown.getMessage();
        msg = msg.replace(runId, "RUN").replaceAll("\\s+", " ").replace("|", "\\|").trim();
        if (msg.length() > 240) {
            msg = msg.substring(0, 240) + "...";
        }
        return shown.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    /**
     * This report with the outcomes of a second run of some of its tests: a test that failed here
     * and passed there counts as passed, its first failure kept in results.tsv and the console.
     */
    SmackSuiteReport withRerun(SmackIntegrationTestFramework.TestRunResult rerun) {
        List<Row> merged = new ArrayList<>();
        for (Row r : rows) {
            boolean passedAgain = r.outcome() != Outcome.PASSED && rerun.getSuccessfulTests().stream().anyMatch(t ->
                    t.concreteTest.getMethod().getDeclaringClass().getName().equals(r.qualifiedClass())
                            && t.concreteTest.getMethod().getName().equals(r.method())
                            && String.join(",", t.concreteTest.getSubdescriptons()).equals(r.connection()));
            merged.add(passedAgain && r.outcome() != Outcome.KNOWN_FAILURE
                    ? new Row(r.testClass(), r.method(), r.connection(), r.spec(), r.claimed(), Outcome.PASSED,
                            "passed on the rerun; first run " + r.outcome().name().toLowerCase(Locale.ROOT) + ": " + r.reason(), "",
                            r.qualifiedClass())
                    : r);
        }
        return new SmackSuiteReport(merged, claims, runId + "+" + rerun.getTestRunId());
    }

    /** Tests that passed only on the rerun. */
    List<String> passedOnRerun() {
        return rows.stream().filter(r -> r.reason().startsWith("passed on the rerun")).map(r -> r.id() + ": " + r.reason()).toList();
    }

    /** Tests of claimed specifications that failed or could not run, and are not on the known list. */
    List<Row> unexpectedFailures() {
        return rows.stream().filter(r -> r.claimed() && (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.NOT_POSSIBLE))
                .toList();
    }

    /** Known failures that passed in this run (printed: a fixed one should leave the list). */
    List<String> knownFailuresThatPassed() {
        return rows.stream().filter(r -> r.outcome() == Outcome.KNOWN_FAILURE && r.reason().startsWith("passed"))
                .map(Row::id).toList();
    }

    private long count(Outcome o) {
        return rows.stream().filter(r -> r.outcome() == o).count();
    }

    private long count(Outcome o, boolean claimed) {
        return rows.stream().filter(r -> r.outcome() == o && r.claimed() == claimed).count();
    }

    String totalsLine() {
        return "Smack suite (run " + runId + "): " + count(Outcome.PASSED) + " passed, "
                + (count(Outcome.FAILED) + count(Outcome.KNOWN_FAILURE)) + " failed (" + count(Outcome.KNOWN_FAILURE)
                + " known, claimed; " + count(Outcome.FAILED, true) + " unexpected, claimed; " + count(Outcome.FAILED, false)
                + " unclaimed), " + count(Outcome.NOT_POSSIBLE) + " not possible, " + count(Outcome.DISABLED) + " disabled";
    }

    String tsv() {
        StringBuilder sb = new StringBuilder("class\tmethod\tconnection\tspecification\tclaimed\toutcome\treason\n");
        for (Row r : rows) {
            sb.append(String.join("\t", r.testClass(), r.method(), r.connection(), r.spec(), String.valueOf(r.claimed()),
                    r.outcome().name().toLowerCase(Locale.ROOT), r.reason().replace('\t', ' '))).append('\n');
        }
        return sb.toString();
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Compliance\n\n");
        sb.append("Generated by `deploy/src/test/java/org/kaiku/deploy/e2e/SmackSuiteTest.java`: do not edit by hand.\n");
        sb.append("It sets what Kaiku claims (each module's `@Xep` annotation, the same source as the README's\n");
        sb.append("compliance table, plus the core RFC 6120 and RFC 6121) beside a run of Smack's own server test\n");
        sb.append("suite (`org.igniterealtime.smack:smack-integration-test` 4.5.0-beta5) against a Kaiku node with its\n");
        sb.append("own Cassandra node, started as `kaiku run` starts it, with HTTP upload on; the suite makes and\n");
        sb.append("deletes its accounts with an administrator's XEP-0133 commands.\n\n");
        sb.append("The test fails when a test of a claimed specification fails or cannot run, unless it is a known\n");
        sb.append("failure listed in `SmackSuiteTest.KNOWN_FAILURES` with its reason (repeated below; a known failure\n");
        sb.append("is shown as such whatever one run gave, since some depend on timing). Tests of specifications\n");
        sb.append("Kaiku does not claim may fail or be impossible; they are listed with the reason.\n\n");
        sb.append("To regenerate after a change (the test writes the file it expects, then compares):\n\n");
        sb.append("```sh\n");
        sb.append("mvn -B -pl deploy -am verify -Dtest=SmackSuiteTest -Dsurefire.failIfNoSpecifiedTests=false\n");
        sb.append("cp deploy/target/smack-inttest/compliance.md docs/compliance.md\n");
        sb.append("```\n\n");
        sb.append("`deploy/target/smack-inttest/results.tsv` holds the same outcomes with the full failure text,\n");
        sb.append("and `server.log` the node's log.\n\n");

        sb.append("## Totals\n\n");
        sb.append("| outcome | claimed specifications | unclaimed | all |\n|---|---|---|---|\n");
        for (Outcome o : Outcome.values()) {
            sb.append("| ").append(o.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" | ")
                    .append(count(o, true)).append(" | ").append(count(o, false)).append(" | ").append(count(o)).append(" |\n");
        }
        sb.append('\n');

        sb.append("## Specifications\n\n");
        sb.append("| Specification | Claimed | Kaiku status | Module | Suite tests | Passed | Failed (incl. known) | Not possible / disabled |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        TreeSet<String> specs = new TreeSet<>(claims.keySet());
        rows.forEach(r -> specs.add(r.spec()));
        for (String spec : specs) {
            Claim c = claims.get(spec);
            List<Row> of = rows.stream().filter(r -> r.spec().equals(spec)).toList();
            long passed = of.stream().filter(r -> r.outcome() == Outcome.PASSED).count();
            long failed = of.stream().filter(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.KNOWN_FAILURE).count();
            long other = of.size() - passed - failed;
            sb.append("| ").append(spec).append(" | ").append(c == null ? "no" : "yes")
                    .append(" | ").append(c == null ? "" : c.status() + (c.version().isEmpty() ? "" : " (" + c.version() + ")"))
                    .append(" | ").append(c == null ? "" : c.module())
                    .append(" | ").append(of.size()).append(" | ").append(passed).append(" | ").append(failed)
                    .append(" | ").append(other).append(" |\n");
        }
        sb.append('\n');

        sb.append("## Suite tests\n\n");
        sb.append("| Specification | Test | Outcome | Reason |\n|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.spec()).append(r.claimed() ? "" : " (not claimed)").append(" | ")
                    .append(r.id()).append(r.connection().isEmpty() ? "" : " [" + r.connection() + "]")
                    .append(" | ").append(r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append(" | ").append(r.docReason()).append(" |\n");
        }
        return sb.toString();
    }
}
