using System.Diagnostics;
using Tessera.Scheduling;

namespace Tessera.Diagnostics;

/// <summary>
/// Samples the process's CPU use and memory at an interval while computations run (Dask's
/// <c>ResourceProfiler</c>): activate it as the <see cref="Profiler"/>,
/// <c>using (resources.Activate()) { x.Compute(); }</c>, then read <see cref="Results"/> or draw both
/// with <see cref="ProfileReport"/>.
/// </summary>
/// <remarks>
/// A dedicated background thread takes the samples, so a computation that fills the thread pool does not
/// delay them; it takes one when a computation starts, one per interval, and one when it finishes.
/// Samples of several computations accumulate until <see cref="Clear"/>; times count from the start of the
/// first computation sampled.
/// </remarks>
public sealed class ResourceProfiler : SchedulerCallback
{
    private readonly Lock _lock = new();
    private readonly List<ResourceSample> _results = [];
    private readonly TimeSpan _interval;
    // Stops the sampling thread of the outermost running computation (null while none runs).
    private Action? _stopSampling;
    private int _depth;
    private long _epoch;

    /// <summary>Initializes a new instance of the <see cref="ResourceProfiler"/> class.</summary>
    /// <param name="interval">The time between two samples; by default 100 ms, at least 1 ms.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is shorter than 1 ms.</exception>
    public ResourceProfiler(TimeSpan? interval = null)
    {
        _interval = interval ?? TimeSpan.FromMilliseconds(100);
        ArgumentOutOfRangeException.ThrowIfLessThan(_interval, TimeSpan.FromMilliseconds(1), nameof(interval));
    }

    /// <summary>Gets the time between two samples.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>Gets a copy of the samples taken so far, oldest first.</summary>
    public IReadOnlyList<ResourceSample> Results
    {
        get
        {
            lock (_lock)
            {
                return [.. _results];
            }
        }
    }

    /// <summary>Gets the <see cref="Stopwatch"/> timestamp the samples' times count from (0 before the first computation).</summary>
    internal long Epoch
    {
        get
        {
            lock (_lock)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Forgets every sample; the next computation starts the clock again.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _results.Clear();
            if (_depth == 0)
            {
                _epoch = 0;
            }
        }
    }

    /// <inheritdoc/>
    public override void OnStart(ComputeStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_lock)
        {
            if (_depth++ > 0)
            {
                return;
            }

            if (_epoch == 0)
            {
                _epoch = Stopwatch.GetTimestamp();
            }

            _stopSampling = new Sampler(this, _interval).Dispose;
        }
    }

    /// <inheritdoc/>
    public override void OnFinish(bool failed)
    {
        Action? stop;
        lock (_lock)
        {
            if (_depth == 0 || --_depth > 0)
            {
                return;
            }

            stop = _stopSampling;
            _stopSampling = null;
        }

        stop?.Invoke();
    }

    private void Add(ResourceSample sample)
    {
        lock (_lock)
        {
            _results.Add(sample);
        }
    }

    /// <summary>The sampling thread of one outermost computation.</summary>
    private sealed class Sampler : IDisposable
    {
        private readonly ResourceProfiler _owner;
        private readonly TimeSpan _interval;
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private readonly Process _process = Process.GetCurrentProcess();
        private TimeSpan _lastCpu;
        private long _lastTimestamp;
        private bool _first = true;

        public Sampler(ResourceProfiler owner, TimeSpan interval)
        {
            _owner = owner;
            _interval = interval;
            _lastCpu = _process.TotalProcessorTime;
            _lastTimestamp = Stopwatch.GetTimestamp();
            Take();
            _thread = new Thread(Run) { IsBackground = true, Name = "Tessera resource profiler" };
            _thread.Start();
        }

        /// <summary>Stops the thread and takes the last sample.</summary>
        public void Dispose()
        {
            _stop.Set();
            _thread.Join();
            Take();
            _stop.Dispose();
            _process.Dispose();
        }

        private void Run()
        {
            while (!_stop.Wait(_interval))
            {
                Take();
            }
        }

        // CPU is the process's processor time over the wall time since the previous sample: 100 per busy core.
        private void Take()
        {
            long now = Stopwatch.GetTimestamp();
            _process.Refresh();
            TimeSpan cpu = _process.TotalProcessorTime;
            double wall = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            double percent = _first || wall <= 0 ? 0 : 100 * (cpu - _lastCpu).TotalSeconds / wall;
            _first = false;
            _lastCpu = cpu;
            _lastTimestamp = now;
            _owner.Add(new ResourceSample(Stopwatch.GetElapsedTime(_owner.Epoch, now), Math.Max(0, percent), _process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false)));
        }
    }
}

/// <summary>One sample of a <see cref="ResourceProfiler"/>.</summary>
/// <param name="Time">When it was taken, since the start of the first computation sampled.</param>
/// <param name="CpuPercent">The process's CPU use since the previous sample, in percent of one core (200 is two busy cores); 0 for a computation's first sample.</param>
/// <param name="WorkingSetBytes">The process's working set (physical memory), in bytes.</param>
/// <param name="GcHeapBytes">The bytes allocated on the managed heap and not yet collected.</param>
public readonly record struct ResourceSample(TimeSpan Time, double CpuPercent, long WorkingSetBytes, long GcHeapBytes);
