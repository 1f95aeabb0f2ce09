import Foundation
import NIOCore
import NIOPosix

/// Runs one plan of load: an event loop group of its own, a ``LoopDriver`` per loop with that
/// loop's share of the connections, a progress line every second, and the merged statistics.
enum LoadRun {
    struct CannotConnect: Error, CustomStringConvertible {
        let target: TargetURL
        var description: String { "cannot connect to http://\(target.hostHeader): is BookingServer running there?" }
    }

    /// `workload(loop)` makes the workload of event loop number `loop`; it runs on that loop.
    static func execute(
        _ plan: LoadPlan, label: String, showProgress: Bool,
        workload: @escaping @Sendable (_ loop: Int) -> any Workload
    ) async throws -> LoadStatistics {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        let counters = LiveCounters()
        do {
            let loops = Array(group.makeIterator())
            var drivers: [NIOLoopBound<LoopDriver>] = []
            for (index, loop) in loops.enumerated() {
                drivers.append(try await loop.submit {
                    NIOLoopBound(
                        LoopDriver(loop: loop, plan: plan, loopIndex: index, workload: workload(index), counters: counters),
                        eventLoop: loop
                    )
                }.get())
            }
            do {
                for driver in drivers { try await driver.eventLoop.flatSubmit { driver.value.connect() }.get() }
            } catch {
                throw CannotConnect(target: plan.target)
            }
            // One start for every loop, a little ahead so each has its timer set in time.
            let start = NIODeadline.now().uptimeNanoseconds + 20_000_000
            let cpuAtStart = ProcessCPU.seconds()
            let runs = drivers.map { driver in driver.eventLoop.flatSubmit { driver.value.run(startingAt: start) } }
            let progress = showProgress ? Task { await ProgressLine.report(label: label, counters: counters) } : nil
            var statistics = LoadStatistics()
            for run in runs { statistics.merge(try await run.get()) }
            progress?.cancel()
            statistics.generatorCPUSeconds = ProcessCPU.seconds() - cpuAtStart
            try await group.shutdownGracefully()
            return statistics
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}
