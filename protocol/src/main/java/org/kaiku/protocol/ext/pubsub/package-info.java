/**
 * XEP-0060: Publish-Subscribe, version 1.30.0: namespaces, the pubsub#errors conditions and the
 * event element a service sends its subscribers.
 */
package org.kaiku.protocol.ext.pubsub;
