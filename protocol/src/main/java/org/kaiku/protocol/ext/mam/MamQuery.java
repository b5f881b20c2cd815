package org.kaiku.protocol.ext.mam;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.ext.rsm.ResultSet;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * An archive query, XEP-0313 section 4: {@code <query xmlns='urn:xmpp:mam:2' queryid/>} with an
 * optional XEP-0004 form of filters (section 4.1), an optional XEP-0059 set (section 4.3) and an
 * optional {@code <flip-page/>} (section 4.3.3).
 *
 * <p>Reading checks what section 4.1 makes the server check: FORM_TYPE must be urn:xmpp:mam:2, a
 * field the server does not know is feature-not-implemented (section 4.1.5), 'start' and 'end'
 * must be XEP-0082 DateTimes and 'with' a JID (bad-request otherwise).
 *
 * @param queryId  the client's 'queryid', echoed in each result, or null
 * @param node     the 'node' attribute (reserved for pubsub archives, XEP-0442), or null
 * @param with     'with' filter, or null
 * @param start    'start' filter (inclusive), or null
 * @param end      'end' filter (inclusive), or null
 * @param beforeId 'before-id' (exclusive), or null
 * @param afterId  'after-id' (exclusive), or null
 * @param ids      'ids' (single-item retrieval), empty when absent
 * @param set      the RSM request, or null
 * @param flipPage whether the page is to be sent newest first
 */
public record MamQuery(String queryId, String node, Jid with, Instant start, Instant end, String beforeId,
                       String afterId, List<String> ids, ResultSet set, boolean flipPage) {
    public static final String ELEMENT = "query";
    public static final String FLIP_PAGE = "flip-page";

    public MamQuery {
        ids = List.copyOf(ids);
    }

    /** A query the server must refuse, with the stanza error XEP-0313 names for it. */
    public static final class Invalid extends Exception {
        private final StanzaError.Condition condition;

        public Invalid(StanzaError.Condition condition, String message) {
            super(message);
            this.condition = condition;
        }

        public StanzaError.Condition condition() {
            return condition;
        }

        public StanzaError toError() {
            return StanzaError.of(condition, getMessage());
        }
    }

    /** Reads a {@code <query xmlns='urn:xmpp:mam:2'/>} of an iq set. */
    public static MamQuery fromElement(XmlElement query) throws Invalid {
        if (query == null || !query.is(ELEMENT, Mam.NAMESPACE)) {
            throw new Invalid(StanzaError.Condition.BAD_REQUEST, "not a urn:xmpp:mam:2 query");
        }
        Jid with = null;
        Instant start = null;
        Instant end = null;
        String beforeId = null;
        String afterId = null;
        List<String> ids = new ArrayList<>();
        XmlElement x = query.child(DataForm.ELEMENT, DataForm.NAMESPACE);
        if (x != null) {
            DataForm form = DataForm.fromElement(x)
                    .orElseThrow(() -> new Invalid(StanzaError.Condition.BAD_REQUEST, "the form has no type"));
            if (!"submit".equals(form.type())) {
                throw new Invalid(StanzaError.Condition.BAD_REQUEST, "the form must be of type 'submit'");
            }
            String formType = form.formType();
            if (formType != null && !Mam.NAMESPACE.equals(formType)) {
                throw new Invalid(StanzaError.Condition.BAD_REQUEST, "FORM_TYPE must be " + Mam.NAMESPACE);
            }
            for (DataForm.Field f : form.fields()) {
                String var = f.var();
                if (var == null) {
                    throw new Invalid(StanzaError.Condition.BAD_REQUEST, "a field without 'var'");
                }
                String value = f.value();
                switch (var) {
                    case DataForm.FORM_TYPE -> {
                    }
                    case "with" -> with = value == null || value.isBlank() ? null : Jid.tryParse(value.strip())
                            .orElseThrow(() -> new Invalid(StanzaError.Condition.BAD_REQUEST, "'with' is not a JID: " + value));
                    case "start" -> start = stamp(value, "start");
                    case "end" -> end = stamp(value, "end");
                    case "before-id" -> beforeId = blankToNull(value);
                    case "after-id" -> afterId = blankToNull(value);
                    case "ids" -> {
                        for (String v : f.values()) {
                            if (v != null && !v.isBlank()) {
                                ids.add(v.strip());
                            }
                        }
                    }
                    default -> throw new Invalid(StanzaError.Condition.FEATURE_NOT_IMPLEMENTED, "unknown field '" + var + "'");
                }
            }
        }
        ResultSet set;
        try {
            set = ResultSet.fromElement(query.child(ResultSet.ELEMENT, ResultSet.NAMESPACE)).orElse(null);
        } catch (ResultSet.MalformedException e) {
            throw new Invalid(StanzaError.Condition.BAD_REQUEST, e.getMessage());
        }
        boolean flip = query.child(FLIP_PAGE, Mam.NAMESPACE) != null;
        return new MamQuery(query.attr("queryid"), query.attr("node"), with, start, end, beforeId, afterId, ids, set, flip);
    }

    /** The query element, as a client sends it (tests and tools). */
    public XmlElement toElement() {
        XmlElement.Builder q = XmlElement.builder(ELEMENT, Mam.NAMESPACE).attr("queryid", queryId).attr("node", node);
        List<DataForm.Field> fields = new ArrayList<>();
        fields.add(new DataForm.Field(DataForm.FORM_TYPE, "hidden", List.of(Mam.NAMESPACE), null));
        if (with != null) {
            fields.add(DataForm.Field.of("with", null, with.toString()));
        }
        if (start != null) {
            fields.add(DataForm.Field.of("start", null, Delay.format(start)));
        }
        if (end != null) {
            fields.add(DataForm.Field.of("end", null, Delay.format(end)));
        }
        if (beforeId != null) {
            fields.add(DataForm.Field.of("before-id", null, beforeId));
        }
        if (afterId != null) {
            fields.add(DataForm.Field.of("after-id", null, afterId));
        }
        if (!ids.isEmpty()) {
            fields.add(new DataForm.Field("ids", null, ids, null));
        }
        if (fields.size() > 1) {
            q.child(new DataForm("submit", fields).toElement());
        }
        if (set != null) {
            q.child(set.toElement());
        }
        if (flipPage) {
            q.child(XmlElement.of(FLIP_PAGE, Mam.NAMESPACE));
        }
        return q.build();
    }

    public Optional<ResultSet> resultSet() {
        return Optional.ofNullable(set);
    }

    private static Instant stamp(String value, String field) throws Invalid {
        if (value == null || value.isBlank()) {
            return null;
        }
        return Delay.parseStamp(value.strip()).orElseThrow(() -> new Invalid(StanzaError.Condition.BAD_REQUEST,
                "'" + field + "' is not a XEP-0082 DateTime: " + value));
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }
}
