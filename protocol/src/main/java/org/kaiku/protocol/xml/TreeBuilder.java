package org.kaiku.protocol.xml;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assembles one first-level element of the stream from parser events. Adjacent text events
 * (the parser splits text wherever the input was split) are merged into one {@link XmlText},
 * so the same bytes give equal trees however they were fragmented.
 */
final class TreeBuilder {

    private static final class Frame {
        final String name;
        final String namespace;
        final Map<String, String> attributes;
        final List<XmlNode> children = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        Frame(String name, String namespace, Map<String, String> attributes) {
            this.name = name;
            this.namespace = namespace;
            this.attributes = attributes;
        }

        void flushText() {
            if (text.length() > 0) {
                children.add(new XmlText(text.toString()));
                text.setLength(0);
            }
        }
    }

    private final List<Frame> stack = new ArrayList<>();

    int depth() {
        return stack.size();
    }

    void start(String name, String namespace, Map<String, String> attributes) {
        if (!stack.isEmpty()) {
            top().flushText();
        }
        stack.add(new Frame(name, namespace, attributes));
    }

    /** Appends character data to the current element; returns the length of its current text run. */
    int text(char[] chars, int start, int length) {
        StringBuilder sb = top().text;
        sb.append(chars, start, length);
        return sb.length();
    }

    /** Closes the current element; returns it once, the caller decides if it is the finished tree. */
    XmlElement end() {
        Frame f = stack.remove(stack.size() - 1);
        f.flushText();
        XmlElement e = new XmlElement(f.name, f.namespace, f.attributes, f.children);
        if (!stack.isEmpty()) {
            top().children.add(e);
        }
        return e;
    }

    private Frame top() {
        return stack.get(stack.size() - 1);
    }
}
