package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/** The machine-readable result of a run (one JSON object) and its percentile summaries. */
final class Report {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    /** count, mean, p50, p90, p99, p99.9 and max of {@code h}, each divided by {@code scale}. */
    static ObjectNode percentiles(Histogram h, double scale) {
        ObjectNode node = JSON.createObjectNode();
        node.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return node;
        }
        node.put("mean", Fleet.round(h.getMean() / scale));
        node.put("p50", Fleet.round(h.getValueAtPercentile(50) / scale));
        node.put("p90", Fleet.round(h.getValueAtPercentile(90) / scale));
        node.put("p99", Fleet.round(h.getValueAtPercentile(99) / scale));
        node.put("p99_9", Fleet.round(h.getValueAtPercentile(99.9) / scale));
        node.put("max", Fleet.round(h.getMaxValue() / scale));
        return node;
    }

    static void write(ObjectNode report, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(file.toFile(), report);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
