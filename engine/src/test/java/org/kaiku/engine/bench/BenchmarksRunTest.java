package org.kaiku.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark of this package once, in this JVM, for 100 ms: proves the annotation
 * processor ran, the fixtures are valid and each benchmark completes operations. No figure is
 * asserted; real runs are described in docs/bench/MICRO.md.
 */
class BenchmarksRunTest {
    private static final List<Class<?>> BENCHMARKS = List.of(
            RouterHopBenchmark.class);

    @Test
    void everyBenchmarkProducesAScore() throws RunnerException {
        Options options = new OptionsBuilder()
                .include(BenchmarksRunTest.class.getPackageName().replace(".", "\\.") + "\\..*Benchmark\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeUnit(TimeUnit.SECONDS)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> ran = results.stream().map(r -> r.getParams().getBenchmark()).collect(Collectors.toSet());
        assertThat(ran).containsExactlyInAnyOrderElementsOf(declared());
        for (RunResult r : results) {
            assertThat(r.getPrimaryResult().getScore())
                    .as("%s %s", r.getParams().getBenchmark(), r.getParams())
                    .isPositive();
        }
    }

    /** Fully qualified names of the @Benchmark methods, as JMH reports them. */
    private static Set<String> declared() {
        return BENCHMARKS.stream()
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods())
                        .filter(m -> m.isAnnotationPresent(Benchmark.class))
                        .map(Method::getName)
                        .map(m -> c.getName() + "." + m))
                .collect(Collectors.toSet());
    }
}
