namespace Tessera.Graphs;

// Typed function references for 0 to 8 arguments: a call casts each argument once and calls the
// delegate directly, with no reflection.
public abstract partial class TaskFunction
{
    /// <summary>Wraps a function of 0 argument(s).</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<TResult>(Func<TResult> function, string? name = null) => new Typed<TResult>(function, name);

    /// <summary>Wraps a function of 1 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, TResult>(Func<T1, TResult> function, string? name = null) => new Typed<T1, TResult>(function, name);

    /// <summary>Wraps a function of 2 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, TResult>(Func<T1, T2, TResult> function, string? name = null) => new Typed<T1, T2, TResult>(function, name);

    /// <summary>Wraps a function of 3 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, string? name = null) => new Typed<T1, T2, T3, TResult>(function, name);

    /// <summary>Wraps a function of 4 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, string? name = null) => new Typed<T1, T2, T3, T4, TResult>(function, name);

    /// <summary>Wraps a function of 5 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, string? name = null) => new Typed<T1, T2, T3, T4, T5, TResult>(function, name);

    /// <summary>Wraps a function of 6 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, string? name = null) => new Typed<T1, T2, T3, T4, T5, T6, TResult>(function, name);

    /// <summary>Wraps a function of 7 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="T7">The type of argument 7.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, T4, T5, T6, T7, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, TResult> function, string? name = null) => new Typed<T1, T2, T3, T4, T5, T6, T7, TResult>(function, name);

    /// <summary>Wraps a function of 8 argument(s).</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="T7">The type of argument 7.</typeparam>
    /// <typeparam name="T8">The type of argument 8.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">An optional display name; by default the method name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction Create<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult> function, string? name = null) => new Typed<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(function, name);

    private sealed class Typed<TResult>(Func<TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 0;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function();
        }
    }

    private sealed class Typed<T1, TResult>(Func<T1, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 1;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0));
        }
    }

    private sealed class Typed<T1, T2, TResult>(Func<T1, T2, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 2;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1));
        }
    }

    private sealed class Typed<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 3;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2));
        }
    }

    private sealed class Typed<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 4;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2), Arg<T4>(args[3], 3));
        }
    }

    private sealed class Typed<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 5;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2), Arg<T4>(args[3], 3), Arg<T5>(args[4], 4));
        }
    }

    private sealed class Typed<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 6;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2), Arg<T4>(args[3], 3), Arg<T5>(args[4], 4), Arg<T6>(args[5], 5));
        }
    }

    private sealed class Typed<T1, T2, T3, T4, T5, T6, T7, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 7;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2), Arg<T4>(args[3], 3), Arg<T5>(args[4], 4), Arg<T6>(args[5], 5), Arg<T7>(args[6], 6));
        }
    }

    private sealed class Typed<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult> function, string? name) : TaskFunction(function, name)
    {
        public override int Arity => 8;

        public override Type ReturnType => typeof(TResult);

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            return function(Arg<T1>(args[0], 0), Arg<T2>(args[1], 1), Arg<T3>(args[2], 2), Arg<T4>(args[3], 3), Arg<T5>(args[4], 4), Arg<T6>(args[5], 5), Arg<T7>(args[6], 6), Arg<T8>(args[7], 7));
        }
    }
}
