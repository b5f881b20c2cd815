package org.kaiku.protocol.ext.upload;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The elements of XEP-0363: the slot request (section 4), the slot answer, the disco#info form
 * announcing the size limit (section 3), and the errors of section 4 (file too large, quota with
 * a retry stamp).
 */
public final class HttpUpload {
    public static final String NAMESPACE = "urn:xmpp:http:upload:0";
    /** The headers a slot may carry (section 4); a client copies only these. */
    public static final List<String> ALLOWED_HEADERS = List.of("Authorization", "Cookie", "Expires");

    private HttpUpload() {
    }

    /** A slot request: the file name, its exact size in bytes and, if given, its content type. */
    public record Request(String filename, long size, String contentType) {
    }

    /**
     * Reads {@code <request filename='' size='' content-type=''/>}: a missing or empty file name, or a
     * size that is not a positive integer, is a bad-request. A file name with a path separator or
     * a control character is refused too (not-acceptable): it names a file on the server.
     */
    public static Request read(XmlElement request) throws StanzaRequestException {
        if (request == null || !request.is("request", NAMESPACE)) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "expected <request xmlns='" + NAMESPACE + "'/>");
        }
        String filename = request.attr("filename");
        String size = request.attr("size");
        if (filename == null || filename.isBlank() || size == null) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "a slot request needs filename and size");
        }
        long bytes;
        try {
            bytes = Long.parseLong(size);
        } catch (NumberFormatException e) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "size is not a number: " + size);
        }
        if (bytes <= 0) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "size must be positive");
        }
        if (filename.length() > 255 || filename.equals(".") || filename.equals("..")
                || filename.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7F)) {
            throw new StanzaRequestException(StanzaError.Condition.NOT_ACCEPTABLE, "not an acceptable file name");
        }
        String type = request.attr("content-type");
        return new Request(filename, bytes, type == null || type.isBlank() ? null : type);
    }

    /** The slot: the PUT URL with its headers (only {@link #ALLOWED_HEADERS}), and the GET URL. */
    public static XmlElement slot(String putUrl, Map<String, String> headers, String getUrl) {
        XmlElement.Builder put = XmlElement.builder("put", NAMESPACE).attr("url", putUrl);
        headers.forEach((name, value) -> {
            if (!ALLOWED_HEADERS.contains(name)) {
                throw new IllegalArgumentException("header " + name + " is not allowed in a slot");
            }
            put.child(XmlElement.builder("header", NAMESPACE).attr("name", name).text(value).build());
        });
        return XmlElement.builder("slot", NAMESPACE).child(put.build())
                .child(XmlElement.builder("get", NAMESPACE).attr("url", getUrl).build()).build();
    }

    /** The extended disco#info form of section 3: the service's largest file. */
    public static XmlElement sizeForm(long maxFileSize) {
        return new DataForm("result", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", NAMESPACE),
                DataForm.Field.of("max-file-size", null, Long.toString(maxFileSize)))).toElement();
    }

    /** not-acceptable with {@code <file-too-large><max-file-size/></file-too-large>} (section 4). */
    public static XmlElement fileTooLarge(XmlElement iq, long maxFileSize) {
        return Stanzas.withApplicationCondition(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE,
                        "File too large. The maximum file size is " + maxFileSize + " bytes")),
                XmlElement.builder("file-too-large", NAMESPACE).textChild("max-file-size", Long.toString(maxFileSize)).build());
    }

    /** resource-constraint (wait) with {@code <retry stamp=''/>} when the quota frees up again, or without it. */
    public static XmlElement quotaReached(XmlElement iq, String text, Instant retry) {
        XmlElement reply = Stanzas.errorReply(iq, new StanzaError(StanzaError.Type.WAIT, StanzaError.Condition.RESOURCE_CONSTRAINT, text));
        return retry == null ? reply
                : Stanzas.withApplicationCondition(reply, XmlElement.builder("retry", NAMESPACE).attr("stamp", retry.toString()).build());
    }
}
