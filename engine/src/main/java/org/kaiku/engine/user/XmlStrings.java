package org.kaiku.engine.user;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlText;

/**
 * Turns the XML text the entity journals (a stored presence or subscription request, written by
 * {@code XmlWriter}) back into an element. The input is the server's own output, never client
 * bytes; DTDs and external entities are still refused.
 */
final class XmlStrings {
    private static final XMLInputFactory FACTORY = newFactory();

    private XmlStrings() {
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newInstance();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /** The element the text encodes, or null when it is not one well-formed element. */
    static XmlElement parse(String xml) {
        if (xml == null) {
            return null;
        }
        XMLStreamReader r = null;
        try {
            synchronized (FACTORY) {
                r = FACTORY.createXMLStreamReader(new StringReader(xml));
            }
            Deque<XmlElement> stack = new ArrayDeque<>();
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    Map<String, String> attrs = new LinkedHashMap<>();
                    for (int i = 0; i < r.getAttributeCount(); i++) {
                        String prefix = r.getAttributePrefix(i);
                        String key = prefix == null || prefix.isEmpty()
                                ? r.getAttributeLocalName(i) : prefix + ":" + r.getAttributeLocalName(i);
                        attrs.put(key, r.getAttributeValue(i));
                    }
                    String ns = r.getNamespaceURI();
                    stack.push(new XmlElement(r.getLocalName(), ns == null ? "" : ns, attrs, java.util.List.of()));
                } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                    if (!stack.isEmpty() && !r.getText().isEmpty()) {
                        stack.push(stack.pop().withChild(new XmlText(r.getText())));
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    XmlElement done = stack.pop();
                    if (stack.isEmpty()) {
                        return done;
                    }
                    stack.push(stack.pop().withChild(done));
                }
            }
            return null;
        } catch (XMLStreamException | RuntimeException e) {
            return null;
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing was held open: the reader reads a String
                }
            }
        }
    }
}
