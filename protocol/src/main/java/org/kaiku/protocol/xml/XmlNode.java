package org.kaiku.protocol.xml;

/** A child of an {@link XmlElement}: an element or a run of character data. */
public sealed interface XmlNode permits XmlElement, XmlText {
}
