namespace Tessera.Graphs;

/// <summary>
/// Static ordering of a task graph: a priority per task that keeps memory low when tasks run in
/// that order (Dask's <c>dask.order</c>). docs/ordering.md explains the algorithm and its invariants.
/// </summary>
/// <remarks>
/// In short: every task gets the length of the longest chain of dependencies below it (its depth);
/// then, for each requested output in turn, a depth-first walk emits a task as soon as all its
/// dependencies have been emitted, visiting the deepest dependency first (the critical path) and,
/// among equally deep ones, the one that appears first in the task's arguments. A branch is thus
/// finished, and its result consumed, before the next one is opened. The result depends only on the
/// graph's structure and argument order, never on key names, and costs O(V + E log d).
/// </remarks>
public static class GraphOrder
{
    /// <summary>Orders every key of <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>Key → priority, a bijection onto 0..n-1 in which every key comes after its dependencies.</returns>
    /// <exception cref="InvalidGraphException">The graph has a cycle or refers to a missing key.</exception>
    public static Dictionary<Key, int> Order(IReadOnlyDictionary<Key, Node> graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ExecutionPlan plan = ExecutionPlan.Build(graph, outputs: null);
        var result = new Dictionary<Key, int>(plan.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            result[plan.Keys[i]] = plan.Priority[i];
        }

        return result;
    }

    /// <summary>Computes the priorities of a plan; sorts each task's dependencies into visiting order.</summary>
    internal static int[] Compute(ExecutionPlan plan)
    {
        int n = plan.Count;
        int[] depStart = plan.DepStart;
        int[] deps = plan.Deps;
        int[] depth = ComputeDepths(plan);

        // Visit order of dependencies: deepest first; ties keep argument order (a stable sort).
        var byDepthDescending = Comparer<(int Depth, int Position, int Task)>.Create(static (a, b) =>
            a.Depth != b.Depth ? b.Depth.CompareTo(a.Depth) : a.Position.CompareTo(b.Position));
        (int, int, int)[] scratch = [];
        for (int t = 0; t < n; t++)
        {
            int start = depStart[t];
            int len = depStart[t + 1] - start;
            if (len < 2)
            {
                continue;
            }

            bool sorted = true;
            for (int i = start + 1; i < start + len && sorted; i++)
            {
                sorted = depth[deps[i - 1]] >= depth[deps[i]];
            }

            if (sorted)
            {
                continue;
            }

            if (scratch.Length < len)
            {
                scratch = new (int, int, int)[Math.Max(len, scratch.Length * 2)];
            }

            Span<(int Depth, int Position, int Task)> items = scratch.AsSpan(0, len);
            for (int i = 0; i < len; i++)
            {
                items[i] = (depth[deps[start + i]], i, deps[start + i]);
            }

            items.Sort(byDepthDescending);
            for (int i = 0; i < len; i++)
            {
                deps[start + i] = items[i].Task;
            }
        }

        // Post-order walk from each output, iteratively.
        var walk = new Walk(plan);
        int[] next = new int[n];
        int[] stack = new int[Math.Min(n, 1024)];
        foreach (int output in plan.Outputs)
        {
            if (walk.Priority[output] >= 0)
            {
                continue;
            }

            int top = 0;
            stack[0] = output;
            while (top >= 0)
            {
                int t = stack[top];
                if (walk.Priority[t] >= 0)
                {
                    // Emitted early, as the last user of one of its inputs (see Walk.Emit).
                    top--;
                    continue;
                }

                int end = depStart[t + 1];
                int i = depStart[t] + next[t];
                while (i < end && walk.Priority[deps[i]] >= 0)
                {
                    i++;
                }

                next[t] = i - depStart[t];
                if (i < end)
                {
                    next[t]++;
                    if (++top == stack.Length)
                    {
                        Array.Resize(ref stack, Math.Min(n, stack.Length * 2));
                    }

                    stack[top] = deps[i];
                }
                else
                {
                    walk.Emit(t);
                    top--;
                }
            }
        }

        return walk.Priority;
    }

    /// <summary>
    /// Gives out priorities. Emitting a task can complete another one early: when an input has
    /// one user left and that user's other inputs already have priorities, the user comes next,
    /// so the input is released now rather than held until the walk reaches its user
    /// (<c>x + x.T</c>: block (j, i) is added right after block (i, j), while both are in memory).
    /// </summary>
    private sealed class Walk
    {
        private readonly int[] _depStart;
        private readonly int[] _deps;
        private readonly int[] _dependentStart;
        private readonly int[] _dependents;
        private readonly int[] _unorderedUsers;
        private readonly int[] _unorderedInputs;
        private int[] _early = [];
        private int _next;

        public Walk(ExecutionPlan plan)
        {
            _depStart = plan.DepStart;
            _deps = plan.Deps;
            _dependentStart = plan.DependentStart;
            _dependents = plan.Dependents;
            int n = plan.Count;
            Priority = new int[n];
            Priority.AsSpan().Fill(-1);
            _unorderedUsers = new int[n];
            _unorderedInputs = new int[n];
            for (int t = 0; t < n; t++)
            {
                _unorderedUsers[t] = _dependentStart[t + 1] - _dependentStart[t];
                _unorderedInputs[t] = _depStart[t + 1] - _depStart[t];
            }
        }

        public int[] Priority { get; }

        public void Emit(int task)
        {
            int pending = 0;
            int t = task;
            while (true)
            {
                if (Priority[t] < 0)
                {
                    Priority[t] = _next++;
                    for (int i = _dependentStart[t]; i < _dependentStart[t + 1]; i++)
                    {
                        _unorderedInputs[_dependents[i]]--;
                    }

                    for (int i = _depStart[t]; i < _depStart[t + 1]; i++)
                    {
                        int input = _deps[i];
                        if (--_unorderedUsers[input] == 1 && LastUser(input) is int last and >= 0 && _unorderedInputs[last] == 0)
                        {
                            if (pending == _early.Length)
                            {
                                Array.Resize(ref _early, Math.Max(4, pending * 2));
                            }

                            _early[pending++] = last;
                        }
                    }
                }

                if (pending == 0)
                {
                    return;
                }

                t = _early[--pending];
            }
        }

        private int LastUser(int input)
        {
            for (int i = _dependentStart[input]; i < _dependentStart[input + 1]; i++)
            {
                if (Priority[_dependents[i]] < 0)
                {
                    return _dependents[i];
                }
            }

            return -1;
        }
    }

    // Longest chain of dependencies below each task (Kahn's algorithm); detects cycles.
    private static int[] ComputeDepths(ExecutionPlan plan)
    {
        int n = plan.Count;
        int[] waiting = new int[n];
        int[] queue = new int[n];
        int tail = 0;
        for (int t = 0; t < n; t++)
        {
            waiting[t] = plan.DepStart[t + 1] - plan.DepStart[t];
            if (waiting[t] == 0)
            {
                queue[tail++] = t;
            }
        }

        int[] depth = new int[n];
        for (int head = 0; head < tail; head++)
        {
            int t = queue[head];
            int d = depth[t] + 1;
            foreach (int dependent in plan.DependentsOf(t))
            {
                if (depth[dependent] < d)
                {
                    depth[dependent] = d;
                }

                if (--waiting[dependent] == 0)
                {
                    queue[tail++] = dependent;
                }
            }
        }

        if (tail != n)
        {
            ThrowCycle(plan, waiting);
        }

        return depth;
    }

    private static void ThrowCycle(ExecutionPlan plan, int[] waiting)
    {
        // Every task still waiting has a waiting dependency; follow them until one repeats.
        int start = Array.FindIndex(waiting, w => w > 0);
        var seenAt = new Dictionary<int, int>();
        var path = new List<int>();
        int t = start;
        while (!seenAt.ContainsKey(t))
        {
            seenAt[t] = path.Count;
            path.Add(t);
            foreach (int d in plan.DependenciesOf(t))
            {
                if (waiting[d] > 0)
                {
                    t = d;
                    break;
                }
            }
        }

        List<int> cycle = path.GetRange(seenAt[t], path.Count - seenAt[t]);
        cycle.Add(t);
        string chain = string.Join(" -> ", cycle.Select(i => plan.Keys[i].ToString()));
        throw new InvalidGraphException(plan.Keys[t], $"Cycle detected in the task graph: {chain} (each key depends on the next); remove one of these references.");
    }
}
