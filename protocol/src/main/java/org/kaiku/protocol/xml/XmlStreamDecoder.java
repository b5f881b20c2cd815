package org.kaiku.protocol.xml;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * Incremental decoder of one inbound XML stream (RFC 6120 section 4): bytes in, in any
 * fragmentation, {@link StreamEvent}s out as soon as they are complete. Built on aalto-xml's
 * non-blocking parser, so nothing waits for more input and only the element being received is
 * held in memory. After a stream restart (RFC 6120 sections 5.4.3.3 and 6.4.6) the caller makes
 * a new decoder. Not thread-safe: one connection, one decoder.
 *
 * <p>Failures are {@link XmlStreamException}s carrying the stream error condition to send:
 * <ul>
 *   <li>root not {@code stream} in {@code http://etherx.jabber.org/streams}: invalid-namespace
 *       (any prefix bound to that namespace is accepted; the default namespace is only reported,
 *       the caller checks it is {@code jabber:client});</li>
 *   <li>DTD, comment, processing instruction, entity reference other than the five predefined
 *       ones (section 11.1): restricted-xml. DTDs are refused before the parser sees them, so no
 *       entity is ever declared, expanded or fetched;</li>
 *   <li>an encoding other than UTF-8 (section 11.6): unsupported-encoding;</li>
 *   <li>non-whitespace text between first-level elements: bad-format (the XML is well-formed,
 *       it is XMPP that forbids it; section 4.9.3.1);</li>
 *   <li>malformed XML, invalid UTF-8, anything but whitespace after the closing tag:
 *       not-well-formed;</li>
 *   <li>a {@link DecoderLimits} limit crossed: policy-violation (section 13.12). Bytes are
 *       counted as they are parsed, so an oversized stanza fails when the limit is crossed, not
 *       when it ends; attributes are counted on the raw bytes, before the parser reads the tag;
 *       more than 4096 new distinct element and attribute names in one element is refused the
 *       same way (the parser's name table degrades quadratically; see
 *       {@link #restartParser()}).</li>
 * </ul>
 * Once failed the decoder stays failed: every later {@code feed} throws the same condition.
 * Known parser quirk: an end tag whose name is shorter than expected ({@code <a></b>}) is
 * reported only once up to three more bytes have arrived.
 *
 * <p>Attributes: unprefixed ones by local name, {@code xml:*} as {@code "xml:lang"} etc.; any
 * other prefixed attribute is kept as {@code "prefix:local"} together with an
 * {@code "xmlns:prefix"} entry binding its namespace on the same element, so that
 * {@link XmlWriter} output stays namespace-well-formed. Namespace declarations are otherwise not
 * attributes: namespaces live in {@link XmlElement#namespace()}.
 */
public final class XmlStreamDecoder {
    /** Input is handed to the parser in slices this big, limits are checked between slices. */
    private static final int SLICE = 8192;
    private static final String XML_NS = "http://www.w3.org/XML/1998/namespace";
    /**
     * The parser's name table slows down quadratically with the number of distinct names it holds
     * and never shrinks, so a parser that has seen more than this many is replaced between two
     * first-level elements (see {@link #restartParser()}).
     */
    private static final int NAMES_BEFORE_RESTART = 1024;
    /** Distinct names one parser may see before a restart is possible: one element's worth. */
    private static final int MAX_NAMES = NAMES_BEFORE_RESTART + 4096;

    private enum Phase { PROLOG, OPEN, CLOSED }

    private final DecoderLimits limits;
    private AsyncXMLStreamReader<AsyncByteArrayFeeder> reader;
    /** Input on its way to the parser: up to 3 held-back bytes of a split character, then new bytes. */
    private final byte[] slice = new byte[SLICE + 3];
    private final byte[] heldBack = new byte[3];
    private int heldBackLength;
    private final PrologGuard prolog = new PrologGuard();
    private final Utf8Validator utf8 = new Utf8Validator();
    private final AttributeCounter attributeCounter;
    /** Qualified element and attribute names the current parser has seen. */
    private final Set<String> names = new HashSet<>();
    /** The root start tag with its namespace declarations only, to prime a replacement parser. */
    private byte[] rootTag;
    private boolean restartDue;
    private final TreeBuilder tree = new TreeBuilder();
    private Phase phase = Phase.PROLOG;
    /** Bytes handed to the parser (a dropped byte order mark excluded), the parser's offsets. */
    private long fed;
    /** Offset where the bytes not yet part of any event start, at first level. */
    private long mark;
    /** Offset where the first-level element being received starts, or -1. */
    private long elementStart = -1;
    private XmlStreamException failure;
    private boolean ended;

    public XmlStreamDecoder(DecoderLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.attributeCounter = new AttributeCounter(limits.maxAttributes());
        this.reader = AaltoSupport.newReader();
    }

    public XmlStreamDecoder() {
        this(DecoderLimits.DEFAULT);
    }

    /**
     * Decodes the next {@code len} bytes of the stream. Returns the events they complete, in
     * order, possibly none. On failure the events of this call are discarded: the stream is
     * lost anyway.
     */
    public List<StreamEvent> feed(byte[] buf, int off, int len) throws XmlStreamException {
        Objects.checkFromIndexSize(off, len, buf.length);
        return feed(ByteBuffer.wrap(buf, off, len));
    }

    public List<StreamEvent> feed(byte[] buf) throws XmlStreamException {
        return feed(buf, 0, buf.length);
    }

    /** As {@link #feed(byte[], int, int)}, consuming the buffer's remaining bytes (heap or direct). */
    public List<StreamEvent> feed(ByteBuffer buf) throws XmlStreamException {
        if (failure != null) {
            throw new XmlStreamException(failure.condition(), failure.getMessage(), failure);
        }
        if (ended) {
            throw new IllegalStateException("endOfInput() was called");
        }
        List<StreamEvent> out = new ArrayList<>(2);
        try {
            while (buf.hasRemaining()) {
                int n = Math.min(SLICE, buf.remaining());
                buf.get(slice, heldBackLength, n);
                parse(n, out);
            }
        } catch (XmlStreamException e) {
            failure = e;
            throw e;
        }
        return out;
    }

    /** Tells the parser the input has ended (the connection closed); later feeds are refused. */
    public void endOfInput() {
        if (!ended) {
            ended = true;
            reader.getInputFeeder().endOfInput();
        }
    }

    /** Whether {@code </stream:stream>} has been received. */
    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    public DecoderLimits limits() {
        return limits;
    }

    /** Checks the {@code n} new bytes at {@code slice[heldBackLength]} and parses what it can. */
    private void parse(int n, List<StreamEvent> out) throws XmlStreamException {
        int start = heldBackLength;
        if (!prolog.done()) {
            int skip = prolog.scan(slice, start, n);
            if (skip > 0) {
                System.arraycopy(slice, start + skip, slice, start, n - skip);
                n -= skip;
            }
        }
        utf8.check(slice, start, n);
        attributeCounter.scan(slice, start, n);
        int total = start + n;
        // never hand the parser half a character; the parser's offsets are right only from index 0
        heldBackLength = utf8.incompleteTail();
        int len = total - heldBackLength;
        System.arraycopy(slice, len, heldBack, 0, heldBackLength);
        parseSlice(len, out);
        System.arraycopy(heldBack, 0, slice, 0, heldBackLength);
    }

    /** Hands {@code slice[0, len)} to the parser and handles the events it completes. */
    private void parseSlice(int len, List<StreamEvent> out) throws XmlStreamException {
        try {
            while (len > 0) {
                long base = fed;
                reader.getInputFeeder().feedInput(slice, 0, len);
                fed += len;
                int event;
                while ((event = reader.next()) != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                    handle(event, out);
                    if (restartDue) {
                        break;
                    }
                }
                if (!restartDue) {
                    break;
                }
                // the old parser stops right after an element's end tag: the rest goes to the new one
                int consumed = (int) (mark - base);
                restartParser();
                len -= consumed;
                System.arraycopy(slice, consumed, slice, 0, len);
            }
        } catch (XMLStreamException e) {
            throw AaltoSupport.failure(e);
        } catch (RuntimeException e) {
            throw AaltoSupport.failure(e);
        }
        long pendingFrom = elementStart >= 0 ? elementStart : mark;
        if (fed - pendingFrom > limits.maxStanzaBytes()) {
            throw tooLarge();
        }
    }

    /**
     * Replaces the parser by a fresh one, primed with a copy of the stream root's start tag so
     * that it knows the root and its namespace bindings. Done only between two first-level
     * elements, where the root is all the state there is.
     */
    private void restartParser() throws XMLStreamException {
        restartDue = false;
        names.clear();
        reader = AaltoSupport.newReader();
        reader.getInputFeeder().feedInput(rootTag, 0, rootTag.length);
        while (reader.next() != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
            // START_DOCUMENT, then the root's START_ELEMENT: already reported
        }
        fed = rootTag.length;
        mark = fed;
    }

    private void handle(int event, List<StreamEvent> out) throws XMLStreamException, XmlStreamException {
        if (phase == Phase.CLOSED && !isText(event) && event != XMLStreamConstants.END_DOCUMENT) {
            throw new XmlStreamException(Condition.NOT_WELL_FORMED, "content after the end of the stream");
        }
        switch (event) {
            case XMLStreamConstants.START_DOCUMENT -> mark = reader.getLocationInfo().getEndingByteOffset();
            case XMLStreamConstants.START_ELEMENT -> startElement(out);
            case XMLStreamConstants.END_ELEMENT -> endElement(out);
            case XMLStreamConstants.CHARACTERS, XMLStreamConstants.SPACE, XMLStreamConstants.CDATA -> text();
            case XMLStreamConstants.END_DOCUMENT -> { }
            case XMLStreamConstants.COMMENT -> throw restricted("comments are not allowed");
            case XMLStreamConstants.PROCESSING_INSTRUCTION -> throw restricted("processing instructions are not allowed");
            case XMLStreamConstants.ENTITY_REFERENCE -> throw restricted("entity references are not allowed");
            case XMLStreamConstants.DTD -> throw restricted("DTDs are not allowed");
            default -> throw restricted("unexpected XML construct (" + event + ")");
        }
    }

    private void startElement(List<StreamEvent> out) throws XMLStreamException, XmlStreamException {
        if (reader.getAttributeCount() + reader.getNamespaceCount() > limits.maxAttributes()) {
            throw new XmlStreamException(Condition.POLICY_VIOLATION,
                    "more than " + limits.maxAttributes() + " attributes on an element");
        }
        String namespace = nullToEmpty(reader.getNamespaceURI());
        long end = reader.getLocationInfo().getEndingByteOffset();
        if (phase == Phase.PROLOG) {
            if (!"stream".equals(reader.getLocalName()) || !StreamError.STREAM_NAMESPACE.equals(namespace)) {
                throw new XmlStreamException(Condition.INVALID_NAMESPACE,
                        "the stream root must be <stream/> in " + StreamError.STREAM_NAMESPACE);
            }
            if (end - mark > limits.maxStanzaBytes()) {
                throw tooLarge();
            }
            String defaultNamespace = "";
            StringBuilder tag = new StringBuilder("<").append(qualifiedName(reader.getPrefix(), "stream"));
            for (int i = 0; i < reader.getNamespaceCount(); i++) {
                String prefix = nullToEmpty(reader.getNamespacePrefix(i));
                String uri = nullToEmpty(reader.getNamespaceURI(i));
                if (prefix.isEmpty()) {
                    defaultNamespace = uri;
                }
                tag.append(prefix.isEmpty() ? " xmlns" : " xmlns:" + prefix).append("='");
                XmlWriter.escapeAttr(uri, tag);
                tag.append('\'');
            }
            rootTag = tag.append('>').toString().getBytes(StandardCharsets.UTF_8);
            phase = Phase.OPEN;
            mark = end;
            out.add(new StreamEvent.StreamOpen(reader.getPrefix(), defaultNamespace, attributes(false)));
            return;
        }
        if (tree.depth() + 1 > limits.maxDepth()) {
            throw new XmlStreamException(Condition.POLICY_VIOLATION, "elements nested deeper than " + limits.maxDepth());
        }
        if (tree.depth() == 0) {
            elementStart = mark;
            if (end - elementStart > limits.maxStanzaBytes()) {
                throw tooLarge();
            }
        }
        countName(reader.getPrefix(), reader.getLocalName());
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            countName(reader.getAttributePrefix(i), reader.getAttributeLocalName(i));
        }
        tree.start(reader.getLocalName(), namespace, attributes(true));
    }

    private void endElement(List<StreamEvent> out) throws XMLStreamException, XmlStreamException {
        long end = reader.getLocationInfo().getEndingByteOffset();
        if (tree.depth() == 0) {
            phase = Phase.CLOSED;
            mark = end;
            out.add(new StreamEvent.StreamClose());
            return;
        }
        XmlElement element = tree.end();
        if (tree.depth() == 0) {
            if (end - elementStart > limits.maxStanzaBytes()) {
                throw tooLarge();
            }
            elementStart = -1;
            mark = end;
            out.add(new StreamEvent.StreamElement(element));
            restartDue = names.size() > NAMES_BEFORE_RESTART;
        }
    }

    private void countName(String prefix, String local) throws XmlStreamException {
        if (names.add(qualifiedName(prefix, local)) && names.size() > MAX_NAMES) {
            throw new XmlStreamException(Condition.POLICY_VIOLATION, "too many distinct element and attribute names");
        }
    }

    private static String qualifiedName(String prefix, String local) {
        return prefix == null || prefix.isEmpty() ? local : prefix + ":" + local;
    }

    private void text() throws XMLStreamException, XmlStreamException {
        char[] chars = reader.getTextCharacters();
        int start = reader.getTextStart();
        int length = reader.getTextLength();
        if (tree.depth() == 0) {
            for (int i = start; i < start + length; i++) {
                if (!PrologGuard.isWhitespace(chars[i])) {
                    throw new XmlStreamException(phase == Phase.OPEN ? Condition.BAD_FORMAT : Condition.NOT_WELL_FORMED,
                            "text outside of any stanza");
                }
            }
            mark = reader.getLocationInfo().getEndingByteOffset();
        } else if (tree.text(chars, start, length) > limits.maxTextLength()) {
            throw new XmlStreamException(Condition.POLICY_VIOLATION, "text longer than " + limits.maxTextLength());
        }
    }

    private Map<String, String> attributes(boolean declarePrefixes) {
        int count = reader.getAttributeCount();
        Map<String, String> attributes = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            String prefix = nullToEmpty(reader.getAttributePrefix(i));
            String local = reader.getAttributeLocalName(i);
            String value = reader.getAttributeValue(i);
            if (prefix.isEmpty()) {
                attributes.put(local, value);
            } else {
                String namespace = nullToEmpty(reader.getAttributeNamespace(i));
                if (declarePrefixes && !XML_NS.equals(namespace)) {
                    attributes.putIfAbsent("xmlns:" + prefix, namespace);
                }
                attributes.put(prefix + ":" + local, value);
            }
        }
        return attributes;
    }

    private XmlStreamException tooLarge() {
        return new XmlStreamException(Condition.POLICY_VIOLATION,
                "element larger than " + limits.maxStanzaBytes() + " bytes");
    }

    private static XmlStreamException restricted(String message) {
        return new XmlStreamException(Condition.RESTRICTED_XML, message);
    }

    private static boolean isText(int event) {
        return event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.SPACE
                || event == XMLStreamConstants.CDATA;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
