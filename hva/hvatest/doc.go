// Package hvatest is the Wakame side of the hva package in memory: a
// Collector that answers get/update/finalize instance, volumes, backup
// objects, images and vifs as Wakame's hva-collector and sta-collector do
// and records every call, an Events sink that records what is published,
// and NewInstance, which builds the hash get_instance returns. Tests use
// it, and so do the examples as their embedded default.
package hvatest
