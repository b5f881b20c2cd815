package org.kaiku.protocol.xml;

import java.util.Map;

/**
 * Serializes {@link XmlElement}s to the restricted XML of RFC 6120 section 11: no declaration,
 * no comments, escaped text and attribute values, {@code xmlns} declared where the namespace
 * changes. The enclosing stream's default namespace is passed in so stanzas written inside a
 * {@code jabber:client} stream carry no redundant declaration.
 */
public final class XmlWriter {
    private XmlWriter() {
    }

    public static String write(XmlElement element) {
        return write(element, null);
    }

    /** Writes {@code element} as a child of a parent whose default namespace is {@code parentNamespace}. */
    public static String write(XmlElement element, String parentNamespace) {
        StringBuilder sb = new StringBuilder(128);
        write(element, parentNamespace, sb);
        return sb.toString();
    }

    private static void write(XmlElement e, String parentNamespace, StringBuilder sb) {
        sb.append('<').append(e.name());
        if (!e.namespace().equals(parentNamespace)) {
            sb.append(" xmlns=\"");
            escapeAttr(e.namespace(), sb);
            sb.append('"');
        }
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            sb.append(' ').append(a.getKey()).append("=\"");
            escapeAttr(a.getValue(), sb);
            sb.append('"');
        }
        if (e.children().isEmpty()) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        for (XmlNode n : e.children()) {
            if (n instanceof XmlElement c) {
                write(c, e.namespace(), sb);
            } else if (n instanceof XmlText t) {
                escapeText(t.text(), sb);
            }
        }
        sb.append("</").append(e.name()).append('>');
    }

    public static void escapeText(String s, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\r' -> sb.append("&#13;"); // a raw CR would be read back as LF
                default -> i = appendChecked(s, i, sb);
            }
        }
    }

    public static void escapeAttr(String s, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                // raw whitespace in a value is normalized to a space when read back (XML 1.0 section 3.3.3)
                case '\t' -> sb.append("&#9;");
                case '\n' -> sb.append("&#10;");
                case '\r' -> sb.append("&#13;");
                default -> i = appendChecked(s, i, sb);
            }
        }
    }

    /**
     * Appends the character at {@code i} (both halves of a surrogate pair) and returns the index
     * of its last char. Characters XML 1.0 does not allow (controls, lone surrogates, U+FFFE,
     * U+FFFF) cannot be written even escaped; they become U+FFFD so the output stays well-formed.
     */
    private static int appendChecked(String s, int i, StringBuilder sb) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(i + 1));
            return i + 1;
        }
        boolean allowed = c == '\t' || c == '\n' || (c >= 0x20 && c < 0xD800) || (c >= 0xE000 && c <= 0xFFFD);
        sb.append(allowed ? c : '\uFFFD');
        return i;
    }

    public static String escapeAttr(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        escapeAttr(s, sb);
        return sb.toString();
    }
}
