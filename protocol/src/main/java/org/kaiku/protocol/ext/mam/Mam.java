package org.kaiku.protocol.ext.mam;

import java.util.List;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.xml.XmlElement;

/** Names of XEP-0313 and the query form the server offers (section 4.1.5). */
public final class Mam {
    public static final String NAMESPACE = "urn:xmpp:mam:2";
    /** Section 6: before-id/after-id/ids, flipped pages and single-item retrieval. */
    public static final String EXTENDED = "urn:xmpp:mam:2#extended";

    private Mam() {
    }

    /**
     * The form returned to an iq get of an empty query (section 4.1.5): FORM_TYPE and the six
     * fields the XEP defines, 'ids' open to any value through a XEP-0122 validate element.
     */
    public static DataForm queryForm() {
        XmlElement validate = XmlElement.builder("validate", DataForm.VALIDATE_NAMESPACE).attr("datatype", "xs:string")
                .child(XmlElement.of("open", DataForm.VALIDATE_NAMESPACE)).build();
        return new DataForm("form", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", NAMESPACE),
                DataForm.Field.of("with", "jid-single"),
                DataForm.Field.of("start", "text-single"),
                DataForm.Field.of("end", "text-single"),
                DataForm.Field.of("before-id", "text-single"),
                DataForm.Field.of("after-id", "text-single"),
                new DataForm.Field("ids", "list-multi", List.of(), validate)));
    }
}
