package org.kaiku.protocol.ext.xdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A data form, XEP-0004 section 3: a type (form, submit, cancel, result) and its fields in
 * document order. Titles, instructions and reported/item sections are not modelled: the server
 * neither needs nor keeps them.
 *
 * @param type   the form type attribute
 * @param fields the fields, in document order
 */
public record DataForm(String type, List<Field> fields) {
    public static final String NAMESPACE = "jabber:x:data";
    public static final String ELEMENT = "x";
    /** XEP-0122 section 3: validation rules inside a field. */
    public static final String VALIDATE_NAMESPACE = "http://jabber.org/protocol/xdata-validate";
    /** XEP-0068 section 3: the hidden field naming the form's purpose. */
    public static final String FORM_TYPE = "FORM_TYPE";

    public DataForm {
        Objects.requireNonNull(type, "type");
        fields = List.copyOf(fields);
    }

    /**
     * One field, XEP-0004 section 3.2.
     *
     * @param var      the field name (may be null only for a fixed field)
     * @param type     the field type, or null when the submitter left it out (section 3.3 lets it)
     * @param values   the values, in order
     * @param validate an XEP-0122 {@code <validate/>} child to write as is, or null
     */
    public record Field(String var, String type, List<String> values, XmlElement validate) {
        public Field {
            values = List.copyOf(values);
        }

        public static Field of(String var, String type, String... values) {
            return new Field(var, type, List.of(values), null);
        }

        /** The single value, or null when the field has none. */
        public String value() {
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** The first field with this name. */
    public Optional<Field> field(String var) {
        return fields.stream().filter(f -> var.equals(f.var())).findFirst();
    }

    /** The value of the hidden FORM_TYPE field, or null. */
    public String formType() {
        return field(FORM_TYPE).map(Field::value).orElse(null);
    }

    public XmlElement toElement() {
        XmlElement.Builder x = XmlElement.builder(ELEMENT, NAMESPACE).attr("type", type);
        for (Field f : fields) {
            XmlElement.Builder fe = XmlElement.builder("field", NAMESPACE).attr("var", f.var()).attr("type", f.type());
            for (String v : f.values()) {
                fe.textChild("value", v);
            }
            fe.child(f.validate());
            x.child(fe.build());
        }
        return x.build();
    }

    /**
     * Reads a form element. Empty when it is not a {@code <x xmlns='jabber:x:data'/>} with a
     * type; a field without 'var' is kept (var null) for the caller to refuse.
     */
    public static Optional<DataForm> fromElement(XmlElement x) {
        if (x == null || !x.is(ELEMENT, NAMESPACE) || x.attr("type") == null) {
            return Optional.empty();
        }
        List<Field> fields = new ArrayList<>();
        for (XmlElement f : x.elements("field", NAMESPACE)) {
            List<String> values = new ArrayList<>();
            for (XmlElement v : f.elements("value", NAMESPACE)) {
                values.add(v.text());
            }
            fields.add(new Field(f.attr("var"), f.attr("type"), values, f.child("validate", VALIDATE_NAMESPACE)));
        }
        return Optional.of(new DataForm(x.attr("type"), fields));
    }
}
