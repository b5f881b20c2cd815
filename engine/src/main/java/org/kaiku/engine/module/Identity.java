package org.kaiku.engine.module;

import org.kaiku.protocol.xml.XmlElement;

/** A service discovery identity (XEP-0030 section 3.1; registry of categories and types). */
public record Identity(String category, String type, String name) {
    public XmlElement toElement(String namespace) {
        return XmlElement.builder("identity", namespace).attr("category", category).attr("type", type).attr("name", name).build();
    }
}
