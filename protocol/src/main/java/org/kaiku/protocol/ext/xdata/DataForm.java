package org.kaiku.protocol.ext.xdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A data form, XEP-0004 section 3: a type (form, submit, cancel, result), an optional title and
 * instructions, and its fields in document order. Reported/item sections (multi-item results) are
 * not modelled: the server writes none yet and never needs to read them.
 *
 * @param type         the form type attribute
 * @param title        the form's title, or null
 * @param instructions instruction lines, in order
 * @param fields       the fields, in document order
 */
public record DataForm(String type, String title, List<String> instructions, List<Field> fields) {
    public static final String NAMESPACE = "jabber:x:data";
    public static final String ELEMENT = "x";
    /** XEP-0122 section 3: validation rules inside a field. */
    public static final String VALIDATE_NAMESPACE = "http://jabber.org/protocol/xdata-validate";
    /** XEP-0068 section 3: the hidden field naming the form's purpose. */
    public static final String FORM_TYPE = "FORM_TYPE";

    public DataForm {
        Objects.requireNonNull(type, "type");
        instructions = List.copyOf(instructions);
        fields = List.copyOf(fields);
    }

    /** A form without title or instructions. */
    public DataForm(String type, List<Field> fields) {
        this(type, null, List.of(), fields);
    }

    /**
     * One field, XEP-0004 section 3.2.
     *
     * @param var      the field name (may be null only for a fixed field)
     * @param type     the field type, or null when the submitter left it out (section 3.3 lets it)
     * @param label    the human-readable label, or null
     * @param required whether a submission must give it a value ({@code <required/>})
     * @param values   the values, in order
     * @param options  the options of a list field (label, value), in order
     * @param validate an XEP-0122 {@code <validate/>} child to write as is, or null
     */
    public record Field(String var, String type, String label, boolean required, List<String> values,
                        List<Option> options, XmlElement validate) {
        public Field {
            values = List.copyOf(values);
            options = List.copyOf(options);
        }

        /** A field with neither label, requirement nor options. */
        public Field(String var, String type, List<String> values, XmlElement validate) {
            this(var, type, null, false, values, List.of(), validate);
        }

        public static Field of(String var, String type, String... values) {
            return new Field(var, type, List.of(values), null);
        }

        /** A labelled field to fill in, required or not, with no value yet. */
        public static Field ask(String var, String type, String label, boolean required) {
            return new Field(var, type, label, required, List.of(), List.of(), null);
        }

        /** The same field with these values. */
        public Field withValues(String... newValues) {
            return new Field(var, type, label, required, List.of(newValues), options, validate);
        }

        /** The single value, or null when the field has none. */
        public String value() {
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** One option of a list field, section 3.2. */
    public record Option(String label, String value) {
    }

    /** The same form with another type (a form's fields sent back as a result). */
    public DataForm withType(String newType) {
        return new DataForm(newType, title, instructions, fields);
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
        if (title != null) {
            x.textChild("title", title);
        }
        instructions.forEach(i -> x.textChild("instructions", i));
        for (Field f : fields) {
            XmlElement.Builder fe = XmlElement.builder("field", NAMESPACE).attr("var", f.var()).attr("type", f.type())
                    .attr("label", f.label());
            if (f.required()) {
                fe.child(XmlElement.of("required", NAMESPACE));
            }
            for (String v : f.values()) {
                fe.textChild("value", v);
            }
            for (Option o : f.options()) {
                fe.child(XmlElement.builder("option", NAMESPACE).attr("label", o.label()).textChild("value", Objects.toString(o.value(), "")).build());
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
            List<Option> options = new ArrayList<>();
            for (XmlElement o : f.elements("option", NAMESPACE)) {
                options.add(new Option(o.attr("label"), o.childText("value", NAMESPACE)));
            }
            fields.add(new Field(f.attr("var"), f.attr("type"), f.attr("label"), f.child("required", NAMESPACE) != null,
                    values, options, f.child("validate", VALIDATE_NAMESPACE)));
        }
        List<String> instructions = new ArrayList<>();
        x.elements("instructions", NAMESPACE).forEach(i -> instructions.add(i.text()));
        return Optional.of(new DataForm(x.attr("type"), x.childText("title", NAMESPACE), instructions, fields));
    }

    /**
     * What is wrong with {@code submitted} as the answer to this form (XEP-0004 section 3.3):
     * a required field without a value, several values in a single-value field, a list-single
     * value that is not one of the options, a boolean that is not 0/1/false/true, a JID field
     * that does not parse, a FORM_TYPE other than this form's. Empty when it is fine. Fields
     * the form does not know are ignored, as the section allows.
     */
    public List<String> problems(DataForm submitted) {
        List<String> problems = new ArrayList<>();
        if (!"submit".equals(submitted.type())) {
            problems.add("a form is answered with type 'submit', not '" + submitted.type() + "'");
            return problems;
        }
        String expectedType = formType();
        if (expectedType != null && submitted.formType() != null && !expectedType.equals(submitted.formType())) {
            problems.add("FORM_TYPE " + submitted.formType() + " does not answer " + expectedType);
        }
        for (Field f : fields) {
            if (f.var() == null || "fixed".equals(f.type()) || FORM_TYPE.equals(f.var())) {
                continue;
            }
            List<String> values = submitted.field(f.var()).map(Field::values).orElse(List.of());
            if (f.required() && (values.isEmpty() || values.stream().allMatch(String::isEmpty))) {
                problems.add(f.var() + " is required");
                continue;
            }
            String type = f.type() == null ? "text-single" : f.type();
            boolean multi = type.endsWith("-multi");
            if (!multi && values.size() > 1) {
                problems.add(f.var() + " takes one value");
            }
            for (String v : values) {
                switch (type) {
                    case "boolean" -> {
                        if (!List.of("0", "1", "false", "true").contains(v)) {
                            problems.add(f.var() + " is a boolean, not '" + v + "'");
                        }
                    }
                    case "jid-single", "jid-multi" -> {
                        if (Jid.tryParse(v).isEmpty()) {
                            problems.add(f.var() + " is not a JID: '" + v + "'");
                        }
                    }
                    case "list-single" -> {
                        if (f.options().stream().noneMatch(o -> v.equals(o.value()))) {
                            problems.add(f.var() + " has no option '" + v + "'");
                        }
                    }
                    default -> { }
                }
            }
        }
        return problems;
    }
}
