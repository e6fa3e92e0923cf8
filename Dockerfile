# The `withdrawals` image: one image for every role (`start`, `api`, `worker`, `batch`, `status`).
# A build stage compiles the TypeScript sources into dist/ (`npm run build`); the image itself
# holds dist/, the launcher and a production install (`--omit=dev`), and runs plain Node.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) cannot run before the sources are copied, and the build
# needs none of the dependencies' install scripts.
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY workers ./workers
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: this lock file lacks other platforms' optional packages (esbuild,
# rollup, msgpackr builds), which `npm ci` refuses; `install` still keeps the versions it pins.
# `prepare` is dropped first: it builds from sources this stage does not have (dist/ comes from
# the build stage).
RUN npm pkg delete scripts.prepare && npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# Everything `node bin/withdrawals.js` loads: the launcher and the compiled package.
COPY bin/withdrawals.js ./bin/
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers

USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/withdrawals.js"]
CMD ["start"]
