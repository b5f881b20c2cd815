package org.kaiku.relay;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

/**
 * The STUN binding service of RFC 8489, as a pure function from one datagram to the answer, if
 * any. The codecs are ice4j's; the rules are ours:
 * <ul>
 *   <li>a Binding request gets a success response with XOR-MAPPED-ADDRESS (the source the request
 *       came from, section 14.2), SOFTWARE and FINGERPRINT (section 14.7);</li>
 *   <li>a request with a comprehension-required attribute this server does not know (type below
 *       0x8000) gets 420 Unknown Attribute listing them (section 6.3.1.1);</li>
 *   <li>any other request method gets 400 Bad Request;</li>
 *   <li>what is not a STUN message (no magic cookie, a bad length, an RFC 3489 header), a
 *       response or an indication is dropped without an answer (section 6.3: a server never
 *       answers what it cannot parse, so it cannot be used to reflect traffic).</li>
 * </ul>
 * Without shared secrets there is no MESSAGE-INTEGRITY: a Binding answer tells a client only its
 * own address.
 */
public final class StunResponder {
    private static final byte[] SOFTWARE = "Kaiku relay".getBytes(StandardCharsets.UTF_8);

    private StunResponder() {
    }

    /** The answer to {@code datagram} received from {@code source}, or empty to send nothing. */
    public static Optional<byte[]> answer(byte[] datagram, InetSocketAddress source) {
        if (!looksLikeStun(datagram)) {
            return Optional.empty();
        }
        Message message;
        try {
            message = Message.decode(datagram, 0, datagram.length);
        } catch (StunException | RuntimeException e) {
            return Optional.empty();
        }
        if (!(message instanceof Request request)) {
            return Optional.empty();
        }
        try {
            char[] unknown = unknownRequired(request);
            Response response;
            if (unknown.length > 0) {
                response = MessageFactory.createBindingErrorResponseUnknownAttributes(unknown);
            } else if (request.getMessageType() != Message.BINDING_REQUEST) {
                response = MessageFactory.createBindingErrorResponse(ErrorCodeAttribute.BAD_REQUEST, "only Binding is served here");
            } else {
                TransportAddress mapped = new TransportAddress(source.getAddress(), source.getPort(), Transport.UDP);
                response = MessageFactory.createBindingResponse(request, mapped);
            }
            response.setTransactionID(request.getTransactionID());
            if (unknown.length > 0 || request.getMessageType() != Message.BINDING_REQUEST) {
                // an error answers the request's method: keep it (ice4j's factory writes Binding)
                response = retype(response, request);
            }
            response.putAttribute(AttributeFactory.createSoftwareAttribute(SOFTWARE));
            response.putAttribute(AttributeFactory.createFingerprintAttribute());
            return Optional.of(response.encode(null));
        } catch (StunException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A quick look before decoding (section 5): the two top bits zero, the magic cookie in place,
     * a length that matches the datagram and is a multiple of 4.
     */
    public static boolean looksLikeStun(byte[] d) {
        if (d.length < Message.HEADER_LENGTH || (d[0] & 0xC0) != 0) {
            return false;
        }
        int length = ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
        if (length % 4 != 0 || length + Message.HEADER_LENGTH != d.length) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (d[4 + i] != Message.MAGIC_COOKIE[i]) {
                return false;
            }
        }
        return true;
    }

    private static char[] unknownRequired(Request request) {
        List<Character> unknown = new ArrayList<>();
        for (Attribute a : request.getAttributes()) {
            char type = a.getAttributeType();
            if (type < 0x8000 && !KNOWN_REQUIRED.contains(type)) {
                unknown.add(type);
            }
        }
        char[] out = new char[unknown.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = unknown.get(i);
        }
        return out;
    }

    /** Comprehension-required attributes a Binding request may carry that this server reads or may ignore (ICE's). */
    private static final java.util.Set<Character> KNOWN_REQUIRED = java.util.Set.of(
            Attribute.USERNAME, Attribute.MESSAGE_INTEGRITY, Attribute.PRIORITY, Attribute.USE_CANDIDATE,
            Attribute.XOR_MAPPED_ADDRESS, Attribute.MAPPED_ADDRESS);

    /** The error response of the request's own method (section 6: class bits set to error, method kept). */
    private static Response retype(Response error, Request request) {
        error.setMessageType((char) ((request.getMessageType() & 0x3EEF) | Message.STUN_ERROR_RESP));
        return error;
    }
}
