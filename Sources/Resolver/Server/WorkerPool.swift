// Threads that answer queries. Answering blocks on the upstream, and Dispatch's global
// queue on Linux runs only about one blocked item per core, so the resolver keeps its own
// threads: an idle one takes the next query, a new one starts when none is idle, up to
// `limit` (then submitters wait). Idle threads stay, so a steady stream of queries pays
// no thread start.

import Foundation

final class WorkerPool: @unchecked Sendable {
    let limit: Int
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0

    init(limit: Int) { self.limit = limit }

    func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        while idle == 0 && threads >= limit && queue.count >= limit { condition.wait() }
        queue.append(work)
        if idle >= queue.count {
            condition.broadcast()  // submitters share the condition: wake every waiter
        } else if threads < limit {
            threads += 1
            let thread = Thread { [self] in run() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while queue.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let work = queue.removeFirst()
            condition.broadcast()  // a submitter may be waiting for room
            condition.unlock()
            work()
            condition.lock()
        }
    }
}
