// Package isono speaks Wakame-vdc's Isono protocol over AMQP 0-9-1
// (RabbitMQ), so that an hva.Handler joins a real Wakame-vdc as an HVA.
//
// A Node (Dial) holds the queue ident.<node id> exclusively (a second
// agent with the same id gets ErrNodeIDInUse), its reply queue
// command-recv.<node id> and the isono.event topic exchange. On it:
//
//   - Call and Notify are Isono RPCs: a Ruby Marshal body
//     {:endpoint, :command, :args, :oneshot} to isono.rpc.endpoint.<endpoint>
//     through the default exchange, answered {:type, :msg} with the same
//     message_id. Collector implements hva.Collector over hva-collector and
//     sta-collector with per-call timeouts (ErrTimeout); an error answer is a
//     *RemoteError.
//   - Events implements hva.Events: routing key "<event>.<node id>" on
//     isono.event.
//   - Serve answers an endpoint; ServeHVA makes the node an HVA: heartbeat
//     (node-collector notify with the node id and a boot token every 10 s,
//     which marks the node online in Wakame), the job endpoints
//     job.hva-handle.<node id> and job.local-store-handle.<node id> with
//     prefetch = the handler's concurrency, an inprogress answer with the job
//     record, job-collector records, then success or error (message,
//     error_type), and the acknowledgement after the answer.
//   - Submit submits a job as Wakame's scheduler and API do.
//
// Values cross the wire through internal/rubymarshal: Hash keys go out as
// Symbols, hva.Symbol values as Symbols (Wakame compares
// data[:state] == :terminated), times as Ruby Times; incoming Symbols become
// hva.Symbol and Strings of any encoding string.
//
// Anyone who can publish to the vhost can send a body: every body and
// answer is bounded once decoded (Options.MaxDecodedBytes and
// MaxDecodedNodes, counting each Marshal object link as a copy of what it
// points to), so that a few kilobytes of links cannot stand for gigabytes.
// A job over the limits gets an error answer (ErrTooLarge) without
// running; a value linked many times is converted once and shared.
//
// # Broker failures
//
// When the connection drops the node reconnects with backoff and declares
// everything again; publishes wait for the new connection, and RPCs that
// were waiting for an answer are sent again on it. A job running when the
// connection dropped keeps running and is answered on the new connection.
// Isono's job queues are auto-delete, so the broker drops an unacknowledged
// job with its consumer rather than delivering it again; when a job is
// delivered twice anyway (a requester that resends), hva's jobs are
// idempotent: a run_local_store whose VM already runs reports success.
//
// Shutdown (ServeHVA's ctx ending) stops taking jobs, lets running ones
// finish for AgentOptions.ShutdownGrace and then cancels them.
//
// isonotest is a Wakame side in Go: collector endpoints backed by
// hvatest.Collector, heartbeat and job records, and job submission.
package isono
