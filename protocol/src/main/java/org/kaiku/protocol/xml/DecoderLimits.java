package org.kaiku.protocol.xml;

/**
 * Resource limits of one {@link XmlStreamDecoder}. RFC 6120 section 13.12 (denial of service)
 * asks servers to bound what a peer may make them buffer; each limit crossed ends the stream
 * with {@code <policy-violation/>} (RFC 6120 section 4.9.3.14).
 *
 * @param maxStanzaBytes bytes of one top-level element, counted on the wire from the first byte
 *                       of its start tag to the last byte of its end tag; the same bound applies
 *                       to the stream header and to unparsed bytes waiting between stanzas
 * @param maxDepth       nesting depth inside a top-level element; the top-level element itself
 *                       is depth 1, the stream root is not counted
 * @param maxAttributes  attributes per element, namespace declarations included
 * @param maxTextLength  characters of one run of text inside an element
 */
public record DecoderLimits(int maxStanzaBytes, int maxDepth, int maxAttributes, int maxTextLength) {

    /** 256 KiB stanzas, depth 64, 64 attributes, text as long as a stanza may be. */
    public static final DecoderLimits DEFAULT = new DecoderLimits(256 * 1024, 64, 64, 256 * 1024);

    public DecoderLimits {
        requirePositive("maxStanzaBytes", maxStanzaBytes);
        requirePositive("maxDepth", maxDepth);
        requirePositive("maxAttributes", maxAttributes);
        requirePositive("maxTextLength", maxTextLength);
    }

    /** Same limits with a different stanza size, text length following it. */
    public static DecoderLimits ofStanzaBytes(int maxStanzaBytes) {
        return new DecoderLimits(maxStanzaBytes, DEFAULT.maxDepth, DEFAULT.maxAttributes, maxStanzaBytes);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
