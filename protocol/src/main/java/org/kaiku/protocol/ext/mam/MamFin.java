package org.kaiku.protocol.ext.mam;

import java.util.Optional;
import org.kaiku.protocol.ext.rsm.ResultSet;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The end of a query, XEP-0313 section 4.3.2: {@code <fin xmlns='urn:xmpp:mam:2' complete/>}
 * in the iq result, with the RSM set naming the first and last UID of the page. 'complete' is
 * written only when true (the section allows omitting it otherwise).
 *
 * @param complete whether the page reached the end of the result set in its direction
 * @param set      first/last (absent for an empty page) and optional count
 */
public record MamFin(boolean complete, ResultSet set) {
    public static final String ELEMENT = "fin";

    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, Mam.NAMESPACE).attr("complete", complete ? "true" : null)
                .child(set == null ? null : set.toElement()).build();
    }

    public static Optional<MamFin> fromElement(XmlElement e) throws ResultSet.MalformedException {
        if (e == null || !e.is(ELEMENT, Mam.NAMESPACE)) {
            return Optional.empty();
        }
        String c = e.attr("complete");
        return Optional.of(new MamFin("true".equals(c) || "1".equals(c),
                ResultSet.fromElement(e.child(ResultSet.ELEMENT, ResultSet.NAMESPACE)).orElse(null)));
    }
}
