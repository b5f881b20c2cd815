package org.kaiku.engine.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;
import org.kaiku.protocol.xml.XmlText;

/**
 * Lets {@link XmlElement} fields cross nodes in CBOR messages. The element is written as a
 * compact tree ({@code n} name, {@code s} namespace, {@code a} attributes, {@code c} children,
 * where a text child is a plain string), not as XML text: no parser runs on the receiving node
 * and the stanza keeps exactly the structure the sender validated.
 */
public final class XmlJacksonModule extends SimpleModule {

    public XmlJacksonModule() {
        super("kaiku-xml");
        addSerializer(XmlElement.class, new Ser());
        addDeserializer(XmlElement.class, new Deser());
    }

    static final class Ser extends StdSerializer<XmlElement> {
        Ser() {
            super(XmlElement.class);
        }

        @Override
        public void serialize(XmlElement e, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartObject();
            g.writeStringField("n", e.name());
            g.writeStringField("s", e.namespace());
            if (!e.attributes().isEmpty()) {
                g.writeObjectFieldStart("a");
                for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
            }
            if (!e.children().isEmpty()) {
                g.writeArrayFieldStart("c");
                for (XmlNode c : e.children()) {
                    if (c instanceof XmlText t) {
                        g.writeString(t.text());
                    } else {
                        serialize((XmlElement) c, g, p);
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    static final class Deser extends StdDeserializer<XmlElement> {
        Deser() {
            super(XmlElement.class);
        }

        @Override
        public XmlElement deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            JsonNode tree = parser.getCodec().readTree(parser);
            return fromTree(tree, ctx);
        }

        private XmlElement fromTree(JsonNode node, DeserializationContext ctx) throws IOException {
            if (!(node instanceof ObjectNode) || !node.hasNonNull("n")) {
                throw ctx.weirdStringException(String.valueOf(node), XmlElement.class, "not an XML element tree");
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            JsonNode a = node.get("a");
            if (a != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    attrs.put(f.getKey(), f.getValue().asText());
                }
            }
            List<XmlNode> children = new ArrayList<>();
            JsonNode c = node.get("c");
            if (c != null) {
                for (JsonNode child : c) {
                    children.add(child.isTextual() ? new XmlText(child.asText()) : fromTree(child, ctx));
                }
            }
            JsonNode s = node.get("s");
            return new XmlElement(node.get("n").asText(), s == null ? "" : s.asText(), attrs, children);
        }
    }
}
