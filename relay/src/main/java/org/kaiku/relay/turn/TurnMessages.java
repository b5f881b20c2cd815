package org.kaiku.relay.turn;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;

/** Builders for the answers and indications the TURN server sends (RFC 8489 section 6, RFC 8656 sections 7-12). */
final class TurnMessages {
    static final char DATA_INDICATION = 0x0017;

    private TurnMessages() {
    }

    /** The success type of a request's method: class bits 10 (RFC 8489 section 5). */
    static char successType(char requestType) {
        return (char) ((requestType & 0x3EEF) | 0x0100);
    }

    /** The error type of a request's method: class bits 11. */
    static char errorType(char requestType) {
        return (char) ((requestType & 0x3EEF) | 0x0110);
    }

    static byte[] success(Message request, List<Attribute> attributes, byte[] key, boolean fingerprint) {
        return StunWire.encode(successType(request.getMessageType()), request.getTransactionID(), attributes, key,
                fingerprint);
    }

    /** An error answer with ERROR-CODE (its default reason phrase), the extra attributes, and MESSAGE-INTEGRITY under {@code key} if not null. */
    static byte[] error(Message request, char code, List<Attribute> extra, byte[] key) {
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(AttributeFactory.createErrorCodeAttribute(code, reason(code)));
        attributes.addAll(extra);
        return StunWire.encode(errorType(request.getMessageType()), request.getTransactionID(), attributes, key,
                request.containsAttribute(Attribute.FINGERPRINT));
    }

    static byte[] error(Message request, char code, byte[] key) {
        return error(request, code, List.of(), key);
    }

    static byte[] dataIndication(InetSocketAddress peer, byte[] data) {
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        return StunWire.encode(DATA_INDICATION, tid, List.of(
                AttributeFactory.createXorPeerAddressAttribute(transport(peer), tid),
                AttributeFactory.createDataAttributeWithoutPadding(data)), null, false);
    }

    static TransportAddress transport(InetSocketAddress address) {
        return new TransportAddress(address.getAddress(), address.getPort(), Transport.UDP);
    }

    private static String reason(char code) {
        return switch (code) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 420 -> "Unknown Attribute";
            case 437 -> "Allocation Mismatch";
            case 438 -> "Stale Nonce";
            case 440 -> "Address Family not Supported";
            case 441 -> "Wrong Credentials";
            case 442 -> "Unsupported Transport Protocol";
            case 443 -> "Peer Address Family Mismatch";
            case 486 -> "Allocation Quota Reached";
            case 500 -> "Server Error";
            case 508 -> "Insufficient Capacity";
            default -> "Error";
        };
    }
}
