// Package registrytest serves an in-memory fake of dcmgr's Web API
// (/api/12.03/) for tests and for programs that want to run without a real
// Wakame-vdc: host nodes (list with dcmgr's filters, get, create, update,
// delete), backup storages and backup objects (the same) and images (list,
// get, update, delete; the API cannot create them, so AddImage seeds them).
//
// Answers have dcmgr's JSON shapes: documents with canonical "id"/"uuid",
// lists as [{"total","start","limit","results"}] with start/limit/sort_by
// paging (limit < 1 means 250, default order id desc), and errors as
// {"error":"Dcmgr::Endpoints::...","message":...,"code":"NNN"}; model
// validation failures and duplicate UUIDs are Sinatra's generic text 500,
// as in dcmgr. Like dcmgr, POST /host_nodes with an X-VDC-Account-UUID
// header fails with a 500 (the header's account_id reaches the model).
//
// Beyond the API, a test can mark nodes online (SetNodeState, the fake's
// node_states), inspect every stored record, inject failures (Fail) and see
// the requests received (Requests).
package registrytest
