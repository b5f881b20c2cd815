package org.kaiku.engine.web;

import java.net.URI;
import java.util.List;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * The host-meta documents of XEP-0156 (version 1.4.0, section 3): the XRD at
 * {@code /.well-known/host-meta} (required) and its JRD twin at {@code /.well-known/host-meta.json}
 * (RFC 6415 appendix A), each a list of links whose relation names a connection method
 * ({@code urn:xmpp:alt-connections:websocket}, {@code urn:xmpp:alt-connections:xbosh}) and whose
 * href is its public URL.
 */
final class HostMeta {
    static final String WEBSOCKET = "urn:xmpp:alt-connections:websocket";
    static final String XBOSH = "urn:xmpp:alt-connections:xbosh";
    private static final String XRD_NAMESPACE = "http://docs.oasis-open.org/ns/xri/xrd-1.0";

    record Link(String rel, URI href) {
    }

    private HostMeta() {
    }

    static String xrd(List<Link> links) {
        StringBuilder sb = new StringBuilder("<?xml version='1.0' encoding='utf-8'?>\n<XRD xmlns='").append(XRD_NAMESPACE).append("'>\n");
        for (Link l : links) {
            sb.append("  <Link rel='");
            XmlWriter.escapeAttr(l.rel(), sb);
            sb.append("' href='");
            XmlWriter.escapeAttr(l.href().toString(), sb);
            sb.append("'/>\n");
        }
        return sb.append("</XRD>\n").toString();
    }

    static String jrd(List<Link> links) {
        StringBuilder sb = new StringBuilder("{\"links\":[");
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"rel\":").append(json(l.rel())).append(",\"href\":").append(json(l.href().toString()))
                    .append('}');
        }
        return sb.append("]}").toString();
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
