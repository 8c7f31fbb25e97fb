using System.Collections.Immutable;
using Tessera.Graphs;

namespace Tessera.Scheduling;

/// <summary>The state that every local scheduler keeps while it runs one plan.</summary>
internal abstract class LocalRun
{
    private readonly object?[] _results;
    private readonly int[] _remainingDependents;
    private readonly bool[] _isOutput;

    // Per task, whether its result is recycled when dropped (null: none is); never with callbacks, which see results.
    private readonly bool[]? _recyclable;

    protected LocalRun(ExecutionPlan plan, ImmutableArray<SchedulerCallback> callbacks)
    {
        Plan = plan;
        Callbacks = callbacks;
        int n = plan.Count;
        _results = new object?[n];
        _remainingDependents = new int[n];
        for (int t = 0; t < n; t++)
        {
            _remainingDependents[t] = plan.DependentStart[t + 1] - plan.DependentStart[t];
        }

        _isOutput = new bool[n];
        foreach (int o in plan.Outputs)
        {
            _isOutput[o] = true;
        }

        _recyclable = callbacks.IsEmpty ? Recycling.Recyclable(plan, _isOutput) : null;
    }

    protected ExecutionPlan Plan { get; }

    protected ImmutableArray<SchedulerCallback> Callbacks { get; }

    protected bool HasCallbacks => !Callbacks.IsEmpty;

    /// <summary>Evaluates one task's node and stores its result.</summary>
    protected void Execute(int task, int worker)
    {
        Key key = default;
        if (HasCallbacks)
        {
            key = Plan.Keys[task];
            foreach (SchedulerCallback c in Callbacks)
            {
                c.OnTaskStart(key, worker);
            }
        }

        var context = new EvaluationContext(_results, Plan.SlotsOf(task));
        object? result = Plan.Nodes[task].Evaluate(ref context);
        _results[task] = result;
        if (HasCallbacks)
        {
            foreach (SchedulerCallback c in Callbacks)
            {
                c.OnTaskEnd(key, result, worker);
            }
        }
    }

    /// <summary>Drops the results of <paramref name="task"/>'s dependencies that no other task still needs, recycling those that may be (see <see cref="Recycling"/>).</summary>
    protected void ReleaseInputs(int task)
    {
        foreach (int dep in Plan.DependenciesOf(task))
        {
            if (--_remainingDependents[dep] == 0 && !_isOutput[dep])
            {
                object? value = _results[dep];
                _results[dep] = null;
                if (_recyclable is not null && _recyclable[dep])
                {
                    (value as IRecyclable)?.Recycle();
                }
            }
        }
    }

    protected void NotifyStart(string schedulerName, int workers)
    {
        if (HasCallbacks)
        {
            var info = new ComputeStartInfo(schedulerName, workers, Plan.Keys, [.. Plan.Outputs.Select(o => Plan.Keys[o])]);
            foreach (SchedulerCallback c in Callbacks)
            {
                c.OnStart(info);
            }
        }
    }

    protected void NotifyFinish(bool failed)
    {
        foreach (SchedulerCallback c in Callbacks)
        {
            c.OnFinish(failed);
        }
    }

    protected object?[] CollectOutputs()
    {
        int[] outputs = Plan.Outputs;
        object?[] values = new object?[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            values[i] = _results[outputs[i]];
        }

        return values;
    }

    /// <summary>Whether an exception a task threw is the computation's own cancellation, which is not wrapped.</summary>
    protected static bool IsOwnCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
