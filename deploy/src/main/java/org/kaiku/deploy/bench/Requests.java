package org.kaiku.deploy.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The iq requests a scenario sent and waits for (RFC 6120 section 8.2.3: every get or set gets
 * one result or error with the same id): ids are unique per fleet, answers are handed over from
 * the loop threads by {@link #answer}.
 */
final class Requests {
    private final Map<String, CompletableFuture<XmlElement>> pending = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    /** A fresh id, already awaited: send the iq with it, then {@link #await} its {@link #future}. */
    String next(String prefix) {
        String id = prefix + "-" + seq.incrementAndGet();
        pending.put(id, new CompletableFuture<>());
        return id;
    }

    /** The answer to come for {@code id}; take it before sending (the answer removes it from the table). */
    CompletableFuture<XmlElement> future(String id) {
        return pending.get(id);
    }

    /** Called with every stanza; true if it answered a request of ours. */
    boolean answer(XmlElement stanza) {
        if (!stanza.is("iq", Namespaces.CLIENT)) {
            return false;
        }
        String type = stanza.attr("type");
        if (!"result".equals(type) && !"error".equals(type)) {
            return false;
        }
        String id = stanza.attr("id");
        CompletableFuture<XmlElement> f = id == null ? null : pending.remove(id);
        if (f == null) {
            return false;
        }
        f.complete(stanza);
        return true;
    }

    /** The answer {@code f} to {@code id}, or null after {@code seconds}. */
    XmlElement await(String id, CompletableFuture<XmlElement> f, double seconds) throws InterruptedException {
        if (f == null) {
            return null;
        }
        try {
            return f.get((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    static boolean isResult(XmlElement iq) {
        return iq != null && "result".equals(iq.attr("type"));
    }

    /**
     * The defined condition of an error stanza (RFC 6120 section 8.3.3), e.g.
     * "service-unavailable", "timeout" for no answer, or "none" if the error names none.
     */
    static String condition(XmlElement stanza) {
        if (stanza == null) {
            return "timeout";
        }
        XmlElement error = stanza.child("error", Namespaces.CLIENT);
        if (error == null) {
            return "none";
        }
        for (XmlElement c : error.elements()) {
            if (Namespaces.STANZAS.equals(c.namespace()) && !c.name().equals("text")) {
                return c.name();
            }
        }
        return "none";
    }

    /** The stanza as text for a report, cut at 300 characters. */
    static String describe(XmlElement stanza) {
        if (stanza == null) {
            return "no answer";
        }
        String xml = stanza.toXml();
        return xml.length() > 300 ? xml.substring(0, 300) + "..." : xml;
    }
}
