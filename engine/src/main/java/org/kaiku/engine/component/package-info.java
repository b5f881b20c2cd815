/**
 * External components (XEP-0114): a listener on loopback by default, one session actor per
 * component connection, and a cluster-wide directory (the Receptionist) that tells every node's
 * router where each configured component domain is connected.
 */
package org.kaiku.engine.component;
