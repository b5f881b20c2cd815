package org.kaiku.protocol.xml;

import java.util.Map;
import java.util.Objects;

/**
 * What the {@link XmlStreamDecoder} reports from the incoming XML stream (RFC 6120 section 4):
 * the stream header, each complete first-level child of the stream root, and the closing tag.
 */
public sealed interface StreamEvent {

    /**
     * The opening {@code <stream:stream>} tag (RFC 6120 section 4.7).
     *
     * @param prefix           the prefix bound to {@code http://etherx.jabber.org/streams}, usually
     *                         {@code "stream"}; empty when that namespace is the default one
     * @param defaultNamespace the default namespace declared on the root ({@code jabber:client}
     *                         for c2s), empty when none is declared; the caller checks it
     * @param attributes       unprefixed attributes by name ({@code to}, {@code from}, {@code id},
     *                         {@code version}) and {@code xml:lang} under that literal key
     */
    record StreamOpen(String prefix, String defaultNamespace, Map<String, String> attributes)
            implements StreamEvent {
        public StreamOpen {
            prefix = prefix == null ? "" : prefix;
            defaultNamespace = defaultNamespace == null ? "" : defaultNamespace;
            attributes = Map.copyOf(attributes);
        }

        public String attr(String name) {
            return attributes.get(name);
        }

        public String to() {
            return attributes.get("to");
        }

        public String from() {
            return attributes.get("from");
        }

        public String version() {
            return attributes.get("version");
        }

        public String id() {
            return attributes.get("id");
        }

        public String lang() {
            return attributes.get("xml:lang");
        }
    }

    /** One complete first-level child of the stream root: a stanza or a negotiation element. */
    record StreamElement(XmlElement element) implements StreamEvent {
        public StreamElement {
            Objects.requireNonNull(element, "element");
        }
    }

    /** The closing {@code </stream:stream>} tag (RFC 6120 section 4.4). */
    record StreamClose() implements StreamEvent {
    }
}
