package org.kaiku.protocol.xml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable XML element as XMPP uses it (RFC 6120 section 11): a qualified name,
 * unprefixed attributes (plus {@code xml:lang}, kept under that literal key), and children
 * that are elements or text. Every "with" method returns a new element.
 *
 * <p>Namespaces are carried per element; {@link XmlWriter} declares {@code xmlns} only where an
 * element's namespace differs from its parent's, so stanzas re-serialize compactly.
 */
public record XmlElement(String name, String namespace, Map<String, String> attributes, List<XmlNode> children)
        implements XmlNode {

    public XmlElement {
        Objects.requireNonNull(name, "name");
        namespace = namespace == null ? "" : namespace;
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        children = List.copyOf(children);
    }

    public static XmlElement of(String name, String namespace) {
        return new XmlElement(name, namespace, Map.of(), List.of());
    }

    public static Builder builder(String name, String namespace) {
        return new Builder(name, namespace);
    }

    public String attr(String key) {
        return attributes.get(key);
    }

    public Optional<String> optAttr(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** First child element with this name and namespace, or null. */
    public XmlElement child(String childName, String childNamespace) {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.name.equals(childName) && e.namespace.equals(childNamespace)) {
                return e;
            }
        }
        return null;
    }

    /** First child element in this namespace, whatever its name, or null. */
    public XmlElement childIn(String childNamespace) {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.namespace.equals(childNamespace)) {
                return e;
            }
        }
        return null;
    }

    public List<XmlElement> elements() {
        List<XmlElement> out = new ArrayList<>();
        for (XmlNode n : children) {
            if (n instanceof XmlElement e) {
                out.add(e);
            }
        }
        return out;
    }

    public List<XmlElement> elements(String childName, String childNamespace) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.name.equals(childName) && e.namespace.equals(childNamespace)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The concatenated text children (not descendants). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (XmlNode n : children) {
            if (n instanceof XmlText t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    /** Text of the first matching child, or null when there is no such child. */
    public String childText(String childName, String childNamespace) {
        XmlElement c = child(childName, childNamespace);
        return c == null ? null : c.text();
    }

    public boolean is(String elementName, String elementNamespace) {
        return name.equals(elementName) && namespace.equals(elementNamespace);
    }

    public XmlElement withAttr(String key, String value) {
        Map<String, String> a = new LinkedHashMap<>(attributes);
        if (value == null) {
            a.remove(key);
        } else {
            a.put(key, value);
        }
        return new XmlElement(name, namespace, a, children);
    }

    public XmlElement withChildren(List<? extends XmlNode> newChildren) {
        return new XmlElement(name, namespace, attributes, new ArrayList<>(newChildren));
    }

    public XmlElement withChild(XmlNode child) {
        List<XmlNode> c = new ArrayList<>(children);
        c.add(child);
        return new XmlElement(name, namespace, attributes, c);
    }

    /** Serializes with escaping; see {@link XmlWriter}. */
    public String toXml() {
        return XmlWriter.write(this);
    }

    @Override
    public String toString() {
        return toXml();
    }

    /** Mutable builder for composing replies. */
    public static final class Builder {
        private final String name;
        private final String namespace;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final List<XmlNode> children = new ArrayList<>();

        private Builder(String name, String namespace) {
            this.name = name;
            this.namespace = namespace;
        }

        public Builder attr(String key, String value) {
            if (value != null) {
                attributes.put(key, value);
            }
            return this;
        }

        public Builder child(XmlNode child) {
            if (child != null) {
                children.add(child);
            }
            return this;
        }

        public Builder children(List<? extends XmlNode> more) {
            children.addAll(more);
            return this;
        }

        public Builder text(String text) {
            if (text != null && !text.isEmpty()) {
                children.add(new XmlText(text));
            }
            return this;
        }

        /** Adds {@code <childName>text</childName>} in this builder's namespace. */
        public Builder textChild(String childName, String text) {
            return child(new XmlElement(childName, namespace, Map.of(), List.of(new XmlText(text))));
        }

        public XmlElement build() {
            return new XmlElement(name, namespace, attributes, children);
        }
    }
}
