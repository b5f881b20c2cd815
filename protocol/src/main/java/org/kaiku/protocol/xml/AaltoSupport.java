package org.kaiku.protocol.xml;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLInputFactory;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * How {@link XmlStreamDecoder} configures aalto-xml's non-blocking parser and maps its failures
 * to stream error conditions (RFC 6120 sections 4.9.3 and 11).
 */
final class AaltoSupport {
    private AaltoSupport() {
    }

    /**
     * A parser from a factory of its own: aalto factories share their name tables among all their
     * parsers and keep every name ever seen, which a peer could grow without bound.
     */
    static AsyncXMLStreamReader<AsyncByteArrayFeeder> newReader() {
        AsyncXMLInputFactory f = new InputFactoryImpl();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.TRUE);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_COALESCING, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_VALIDATING, Boolean.FALSE);
        f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external entities are never resolved");
        });
        return f.createAsyncForByteArray();
    }

    static XmlStreamException failure(XMLStreamException e) {
        String message = firstLine(e.getMessage());
        Condition condition = Condition.NOT_WELL_FORMED;
        if (message.contains("ENTITY_REFERENCE")) {
            // aalto refuses undeclared entities in attribute values outright, with no event
            condition = Condition.RESTRICTED_XML;
        } else if (message.startsWith("Unsupported encoding")) {
            condition = Condition.UNSUPPORTED_ENCODING;
        }
        return new XmlStreamException(condition, message, e);
    }

    /** The parser must not take the connection down with it: whatever it choked on was bad input. */
    static XmlStreamException failure(RuntimeException e) {
        return new XmlStreamException(Condition.NOT_WELL_FORMED, "unparseable input", e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed XML";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
