// Package hvametrics exposes an agent's metrics in the Prometheus text
// format and its health, for the programs that embed hva (the esxi-hva
// agent's -metrics-addr). The library packages know nothing of
// Prometheus: they offer small hooks (a Dispatcher to wrap, the image
// cache's CacheObserver, the transfer progress callback, the ESXi
// client's login count, the Isono node's connection state and reconnect
// count), and this package maps them to metrics named esxi_hva_*:
//
//	esxi_hva_jobs_total{endpoint,job,result}          jobs finished, result "success" or "error"
//	esxi_hva_job_duration_seconds{endpoint,job,result} how long they ran
//	esxi_hva_jobs_in_flight                            jobs running now
//	esxi_hva_image_cache_hits_total                    launches that found their image cached
//	esxi_hva_image_cache_misses_total                  launches that had to fetch it (or wait for a fetch)
//	esxi_hva_image_fetched_bytes_total                 image bytes read from image servers
//	esxi_hva_image_uploaded_bytes_total                image bytes written to the datastore
//	esxi_hva_image_transfer_bytes_per_second           rate of the latest image transfer report
//	esxi_hva_esxi_relogins_total                       ESXi sessions re-established after loss
//	esxi_hva_broker_reconnects_total                   broker connections re-established after loss
//	esxi_hva_broker_connected                          1 while the broker connection is up
//
// Job names outside hva's job tables are counted as job="other", so that
// a peer cannot grow the label set. Handler serves /metrics and /healthz,
// which answers 200 only while the broker is connected and the ESXi
// session is alive, and 503 with the reason otherwise.
package hvametrics
